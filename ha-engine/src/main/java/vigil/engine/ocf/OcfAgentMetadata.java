package vigil.engine.ocf;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import vigil.api.VigilException;
import vigil.api.model.Durations;
import vigil.api.model.Secrets;
import vigil.api.spi.ParameterSpec;
import vigil.api.spi.ResourceMetadata;

/**
 * What an OCF agent's {@code meta-data} action declares: its parameters and its actions with their default
 * timeouts and intervals (OCF resource agent API 1.1, {@code <resource-agent>} document).
 */
public record OcfAgentMetadata(String name, List<Parameter> parameters, List<ActionSpec> actions) {

    /**
     * One {@code <parameter>}. {@code secret} is set by a non-standard {@code secret="1"} attribute or by a name that
     * {@link Secrets#isSecret} recognizes; {@code uniqueGroup} is OCF 1.1's {@code unique-group} (or the resource
     * id-wide group implied by the older {@code unique="1"}).
     */
    public record Parameter(String name, boolean required, boolean secret, boolean unique, String uniqueGroup,
                            String defaultValue, String description) {}

    /** One {@code <action>}; an action can appear several times (monitor per role). */
    public record ActionSpec(String name, Duration timeout, Duration interval, String role, String depth) {}

    public OcfAgentMetadata {
        parameters = List.copyOf(parameters);
        actions = List.copyOf(actions);
    }

    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The largest default timeout declared for {@code action} (monitor may be declared per role). */
    public Optional<Duration> defaultTimeout(String action) {
        return actions.stream().filter(a -> a.name().equals(action) && a.timeout() != null)
                .map(ActionSpec::timeout).max(Duration::compareTo);
    }

    public ResourceMetadata toResourceMetadata(String type) {
        List<ParameterSpec> specs = new ArrayList<>();
        for (Parameter p : parameters) specs.add(new ParameterSpec(p.name(), p.required(), p.secret(), p.defaultValue(), p.description()));
        Map<String, Duration> timeouts = new LinkedHashMap<>();
        for (ActionSpec a : actions) {
            Duration t = defaultTimeout(a.name()).orElse(Duration.ofSeconds(20));
            timeouts.put(a.name(), t);
        }
        return new ResourceMetadata(type, specs, timeouts);
    }

    /**
     * Parses an agent's meta-data XML. No DTD or external entity is loaded (agents reference {@code ra-api-1.dtd},
     * which need not exist here).
     *
     * @param source names the agent in error messages
     */
    public static OcfAgentMetadata parse(String source, String xml) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setValidating(false);
            f.setExpandEntityReferences(false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new VigilException(source + ": meta-data is not valid XML (" + e.getMessage()
                    + "); run the agent with the meta-data action by hand to see its output");
        }
        Element root = doc.getDocumentElement();
        if (!"resource-agent".equals(root.getTagName())) {
            throw new VigilException(source + ": meta-data root element is <" + root.getTagName() + ">, expected <resource-agent>");
        }
        List<Parameter> params = new ArrayList<>();
        for (Element p : children(child(root, "parameters"), "parameter")) {
            String name = p.getAttribute("name");
            if (name.isEmpty()) continue;
            Element content = child(p, "content");
            String dflt = content == null ? "" : content.getAttribute("default");
            Element shortdesc = child(p, "shortdesc");
            String desc = shortdesc == null ? "" : shortdesc.getTextContent().trim();
            boolean unique = flag(p.getAttribute("unique"));
            String group = p.getAttribute("unique-group");
            if (group.isEmpty() && unique) group = name;
            boolean secret = flag(p.getAttribute("secret")) || Secrets.isSecret(name);
            params.add(new Parameter(name, flag(p.getAttribute("required")), secret, unique || !group.isEmpty(), group, dflt, desc));
        }
        List<ActionSpec> actions = new ArrayList<>();
        for (Element a : children(child(root, "actions"), "action")) {
            String name = a.getAttribute("name");
            if (name.isEmpty()) continue;
            actions.add(new ActionSpec(name, duration(source, name, "timeout", a.getAttribute("timeout")),
                    duration(source, name, "interval", a.getAttribute("interval")), a.getAttribute("role"), a.getAttribute("depth")));
        }
        return new OcfAgentMetadata(root.getAttribute("name"), params, actions);
    }

    private static Duration duration(String source, String action, String attr, String text) {
        if (text == null || text.isBlank()) return null;
        return Durations.parse(source + " meta-data action " + action + " " + attr, text);
    }

    private static boolean flag(String v) {
        return v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes");
    }

    private static Element child(Element parent, String tag) {
        if (parent == null) return null;
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && ((Element) n).getTagName().equals(tag)) return (Element) n;
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        if (parent == null) return out;
        NodeList list = parent.getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            Node n = list.item(i);
            if (n instanceof Element && ((Element) n).getTagName().equals(tag)) out.add((Element) n);
        }
        return out;
    }
}
