package vigil.api.spi;

import java.util.Objects;

/** One parameter a driver or fence agent accepts, from its metadata. */
public record ParameterSpec(String name, boolean required, boolean secret, String defaultValue, String description) {
    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        defaultValue = defaultValue == null ? "" : defaultValue;
        description = description == null ? "" : description;
    }
}
