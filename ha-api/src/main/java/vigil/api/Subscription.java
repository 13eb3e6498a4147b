package vigil.api;

/** A registered listener; closing it stops the events. */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
