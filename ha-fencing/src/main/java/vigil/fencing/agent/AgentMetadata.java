package vigil.fencing.agent;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import vigil.api.model.Secrets;
import vigil.api.spi.ParameterSpec;

/** What a ClusterLabs fence agent prints for {@code -o metadata}: its parameters (with defaults) and actions. */
public record AgentMetadata(String name, List<ParameterSpec> parameters, Set<String> actions) {
    public AgentMetadata {
        parameters = List.copyOf(parameters);
        actions = Set.copyOf(actions);
    }

    public Optional<ParameterSpec> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Fence-agent parameters that hold secrets even though their names do not say so. */
    static boolean secret(String name) { return Secrets.isSecret(name) || name.equals("passwd") || name.equals("hexadecimal_kg"); }

    public static AgentMetadata parse(String xml) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new IllegalArgumentException("fence agent metadata is not valid XML: " + e.getMessage(), e);
        }
        Element root = doc.getDocumentElement();
        if (!root.getTagName().equals("resource-agent")) {
            throw new IllegalArgumentException("fence agent metadata has root <" + root.getTagName() + ">, expected <resource-agent>");
        }
        List<ParameterSpec> params = new ArrayList<>();
        NodeList ps = root.getElementsByTagName("parameter");
        for (int i = 0; i < ps.getLength(); i++) {
            Element p = (Element) ps.item(i);
            String name = p.getAttribute("name");
            String def = "";
            NodeList content = p.getElementsByTagName("content");
            if (content.getLength() > 0) def = ((Element) content.item(0)).getAttribute("default");
            String desc = "";
            NodeList sd = p.getElementsByTagName("shortdesc");
            if (sd.getLength() > 0) desc = sd.item(0).getTextContent().trim();
            params.add(new ParameterSpec(name, "1".equals(p.getAttribute("required")), secret(name), def, desc));
        }
        Set<String> actions = new LinkedHashSet<>();
        NodeList as = root.getElementsByTagName("action");
        for (int i = 0; i < as.getLength(); i++) actions.add(((Element) as.item(i)).getAttribute("name"));
        return new AgentMetadata(root.getAttribute("name"), params, actions);
    }
}
