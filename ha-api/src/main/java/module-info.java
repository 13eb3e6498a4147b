/** Vigil's public API: the model, the failover API and the driver / fence agent SPIs. */
module vigil.api {
    exports vigil.api;
    exports vigil.api.model;
    exports vigil.api.status;
    exports vigil.api.spi;

    uses vigil.api.spi.ResourceDriverProvider;
    uses vigil.api.spi.FenceAgentProvider;
}
