package vigil.fencing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import vigil.api.ConfigException;
import vigil.api.model.Durations;
import vigil.api.model.FenceDevice;

/**
 * Typed, validated access to a fence device's parameters. Every error names the parameter as
 * {@code fence-devices.<id>.params.<key>}, the bad value (never a secret) and the fix.
 */
public final class DeviceParams {
    private final FenceDevice device;
    private final Function<String, String> env;

    public DeviceParams(FenceDevice device) { this(device, System::getenv); }

    public DeviceParams(FenceDevice device, Function<String, String> env) {
        this.device = device;
        this.env = env;
    }

    public FenceDevice device() { return device; }

    public String field(String key) { return "fence-devices." + device.id() + ".params." + key; }

    public Optional<String> optional(String key) {
        String v = device.params().get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String get(String key, String defaultValue) { return optional(key).orElse(defaultValue); }

    public String required(String key, String fix) {
        return optional(key).orElseThrow(() -> new ConfigException(field(key), "missing", fix));
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) return defaultValue;
        try {
            int n = Integer.parseInt(v.get());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(field(key), "must be a whole number from " + min + " to " + max + ", got \"" + v.get() + "\"",
                    "write e.g. " + defaultValue);
        }
    }

    public Duration duration(String key, Duration defaultValue) {
        Optional<String> v = optional(key);
        return v.isEmpty() ? defaultValue : Durations.parse(field(key), v.get());
    }

    public boolean flag(String key, boolean defaultValue) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) return defaultValue;
        switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
            case "1": case "true": case "yes": case "on": return true;
            case "0": case "false": case "no": case "off": return false;
            default: throw new ConfigException(field(key), "must be true or false, got \"" + v.get() + "\"", "write true or false");
        }
    }

    /**
     * A secret given directly ({@code base}), in a file ({@code base_file}, trailing newline dropped) or in an
     * environment variable named by {@code base_env}; empty when none of them is set.
     */
    public Optional<String> secret(String base) {
        Optional<String> direct = Optional.ofNullable(device.params().get(base)).filter(s -> !s.isEmpty());
        if (direct.isPresent()) return direct;
        Optional<String> file = optional(base + "_file");
        if (file.isPresent()) {
            try {
                String s = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8);
                return Optional.of(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s);
            } catch (IOException e) {
                throw new ConfigException(field(base + "_file"), "cannot read " + file.get() + ": " + e.getClass().getSimpleName(),
                        "make the file readable by the Vigil process, or set " + base + "_env");
            }
        }
        Optional<String> var = optional(base + "_env");
        if (var.isPresent()) {
            String s = env.apply(var.get());
            if (s == null) {
                throw new ConfigException(field(base + "_env"), "environment variable " + var.get() + " is not set",
                        "export " + var.get() + " before starting Vigil, or set " + base + "_file");
            }
            return Optional.of(s);
        }
        return Optional.empty();
    }
}
