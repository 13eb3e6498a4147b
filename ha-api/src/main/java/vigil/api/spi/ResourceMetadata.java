package vigil.api.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vigil.api.model.Maps;

/** What a driver declares: its parameters and, per action, the default timeout (OCF meta-data's {@code <actions>}). */
public record ResourceMetadata(String type, List<ParameterSpec> parameters, Map<String, Duration> actionTimeouts) {
    public ResourceMetadata {
        parameters = List.copyOf(parameters);
        actionTimeouts = Maps.sorted(actionTimeouts);
    }

    public boolean supports(String action) { return actionTimeouts.containsKey(action); }

    public Optional<Duration> defaultTimeout(String action) { return Optional.ofNullable(actionTimeouts.get(action)); }
}
