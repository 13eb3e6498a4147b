package vigil.kvm;

import java.io.IOException;
import java.io.StringReader;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import vigil.api.ConfigException;

/**
 * The few facts the driver needs from a libvirt domain XML, read before libvirt sees it so that a broken
 * document is reported as a configuration error naming the blob, not as a start failure.
 *
 * @param name the domain's {@code <name>}
 * @param type the {@code type} attribute ({@code kvm}, {@code qemu}, {@code test} ...)
 * @param uuid its {@code <uuid>}, empty when the XML has none
 * @param xml  the document as given
 */
record DomainXml(String name, String type, String uuid, String xml) {
    private static final java.util.regex.Pattern DOMAIN_START = java.util.regex.Pattern.compile("<domain\\b[^>]*>");

    /**
     * The XML to define. Without a {@code <uuid>}, libvirt would make up a new one on every define and on every
     * node, and then refuse the next define ("already exists with uuid") and the migration's definition on the
     * target; a UUID derived from the name makes every define on every node the same domain.
     */
    String definableXml() {
        if (!uuid.isEmpty()) return xml;
        java.util.regex.Matcher m = DOMAIN_START.matcher(xml);
        if (!m.find()) return xml;
        return xml.substring(0, m.end()) + "<uuid>" + derivedUuid(name) + "</uuid>" + xml.substring(m.end());
    }

    /** The UUID the domain gets when defined from this XML. */
    String effectiveUuid() { return uuid.isEmpty() ? derivedUuid(name).toString() : uuid; }

    static java.util.UUID derivedUuid(String name) {
        return java.util.UUID.nameUUIDFromBytes(("vigil-kvm-domain:" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Parses {@code xml} from {@code source} (a blob or parameter name used in error messages). */
    static DomainXml parse(String source, String xml) {
        if (xml == null || xml.isBlank()) throw new ConfigException(source, "domain XML is empty", "store the domain's XML (virsh dumpxml) in it");
        Element root;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(true);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            root = b.parse(new InputSource(new StringReader(xml))).getDocumentElement();
        } catch (SAXException e) {
            throw new ConfigException(source, "domain XML is not well-formed: " + e.getMessage(), "fix the XML (xmllint --noout checks it)");
        } catch (ParserConfigurationException | IOException e) {
            throw new ConfigException(source, "cannot read domain XML: " + e.getMessage(), "");
        }
        if (!"domain".equals(root.getLocalName())) {
            throw new ConfigException(source, "root element is <" + root.getLocalName() + ">, not <domain>", "store a libvirt domain XML (virsh dumpxml NAME)");
        }
        String name = null;
        String uuid = "";
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && "name".equals(n.getLocalName())) name = n.getTextContent().strip();
            if (n instanceof Element && "uuid".equals(n.getLocalName())) uuid = n.getTextContent().strip();
        }
        if (name == null || name.isEmpty()) throw new ConfigException(source, "domain XML has no <name>", "add <name>VM</name> to the domain XML");
        String type = root.getAttribute("type");
        if (type.isEmpty()) throw new ConfigException(source, "<domain> has no type attribute", "use <domain type='kvm'> (or 'qemu' without KVM)");
        return new DomainXml(name, type, uuid, xml);
    }
}
