package vigil.engine.cib;

import java.util.Map;
import java.util.Set;
import vigil.api.model.Score;

/**
 * Pacemaker's node health ("Pacemaker Explained", Tracking Node Health), evaluated when a CIB is read: the node
 * attributes whose names start with {@code #health} hold red, yellow, green or a score; the cluster property
 * {@code node-health-strategy} turns them into one score per node that every resource gets on that node (unless its
 * meta attribute {@code allow-unhealthy-nodes} is true):
 * <ul>
 * <li>{@code none}: no score;</li>
 * <li>{@code migrate-on-red}: red is -INFINITY, yellow and green 0;</li>
 * <li>{@code only-green}: red and yellow are -INFINITY, green 0;</li>
 * <li>{@code progressive}: {@code node-health-base} plus, per attribute, the {@code node-health-red}, {@code -yellow}
 *     or {@code -green} property (default -INFINITY, 0, 0).</li>
 * </ul>
 * A value that is a number counts as that score; scores add up with Pacemaker's saturation.
 */
final class NodeHealth {
    static final Set<String> STRATEGIES = Set.of("none", "migrate-on-red", "only-green", "progressive");
    static final String ALLOW_UNHEALTHY = "allow-unhealthy-nodes";

    private NodeHealth() {}

    /** The node's health score under {@code strategy}, from its attributes and the cluster properties. */
    static int score(String strategy, Map<String, String> nodeAttributes, Map<String, String> properties) {
        if (strategy.equals("none")) return 0;
        boolean progressive = strategy.equals("progressive");
        Score sum = Score.of(progressive ? parse("node-health-base", properties.getOrDefault("node-health-base", "0")) : 0);
        for (var e : nodeAttributes.entrySet()) {
            if (!e.getKey().startsWith("#health")) continue;
            sum = sum.plus(Score.of(colour(strategy, e.getKey(), e.getValue().trim().toLowerCase(java.util.Locale.ROOT), properties)));
        }
        return sum.value();
    }

    private static int colour(String strategy, String name, String value, Map<String, String> properties) {
        int inf = -Score.INFINITY_VALUE;
        return switch (value) {
            case "red" -> strategy.equals("progressive") ? parse("node-health-red", properties.getOrDefault("node-health-red", "-INFINITY")) : inf;
            case "yellow" -> strategy.equals("only-green") ? inf
                    : strategy.equals("progressive") ? parse("node-health-yellow", properties.getOrDefault("node-health-yellow", "0")) : 0;
            case "green" -> strategy.equals("progressive") ? parse("node-health-green", properties.getOrDefault("node-health-green", "0")) : 0;
            default -> parse(name, value);
        };
    }

    private static int parse(String field, String value) { return Score.parse(field, value).value(); }
}
