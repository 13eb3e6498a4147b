package vigil.daemon.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;
import vigil.api.VigilException;
import vigil.api.model.Durations;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.ParameterSpec;
import vigil.api.spi.ResourceDriverProvider;
import vigil.api.spi.ResourceMetadata;

/** What this host can run: the resource and fence device types of the drivers on the class path and the agents installed. */
final class Agents {
    private Agents() {}

    static List<String> resourceTypes() {
        TreeSet<String> types = new TreeSet<>();
        ServiceLoader.load(ResourceDriverProvider.class).forEach(p -> types.addAll(p.types()));
        return List.copyOf(types);
    }

    static List<String> fenceTypes() {
        TreeSet<String> types = new TreeSet<>();
        ServiceLoader.load(FenceAgentProvider.class).forEach(p -> types.addAll(p.types()));
        return List.copyOf(types);
    }

    /** A type's parameters and default operation timeouts, as its driver (an OCF agent: its meta-data) declares them. */
    static String describeResource(String type) {
        ResourceDriverProvider provider = ServiceLoader.load(ResourceDriverProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.supports(type)).findFirst()
                .orElseThrow(() -> new VigilException("no driver for type \"" + type + "\" on this host ('vigil resource agents' lists the types)"));
        ResourceMetadata m = provider.create(type).metadata();
        StringBuilder sb = new StringBuilder(type).append("\n\nParameters:\n");
        if (m.parameters().isEmpty()) sb.append("  (none)\n");
        for (ParameterSpec p : m.parameters()) {
            List<String> traits = new ArrayList<>();
            if (p.required()) traits.add("required");
            if (p.secret()) traits.add("secret");
            if (!p.defaultValue().isEmpty()) traits.add("default: " + p.defaultValue());
            sb.append("  ").append(p.name()).append(traits.isEmpty() ? "" : " (" + String.join(", ", traits) + ")").append('\n');
            if (!p.description().isBlank()) sb.append("      ").append(p.description().strip().replaceAll("\\s+", " ")).append('\n');
        }
        sb.append("\nDefault operation timeouts:\n");
        if (m.actionTimeouts().isEmpty()) sb.append("  (none declared)\n");
        m.actionTimeouts().forEach((action, timeout) -> sb.append("  ").append(action).append(": ").append(Durations.format(timeout)).append('\n'));
        return sb.toString();
    }
}
