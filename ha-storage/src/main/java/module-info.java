/** DRBD 9 controller and the promotable {@code drbd} resource driver. */
module vigil.storage {
    requires transitive vigil.api;
    requires org.slf4j;

    exports vigil.storage;

    provides vigil.api.spi.ResourceDriverProvider with vigil.storage.DrbdDriverProvider;
}
