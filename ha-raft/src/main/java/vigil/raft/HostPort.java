package vigil.raft;

import vigil.api.ConfigException;

/** A parsed {@code host:port}. */
record HostPort(String host, int port) {
    static HostPort parse(String field, String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ConfigException(field, "address \"" + text + "\" is not host:port", "write e.g. 127.0.0.1:7001");
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return new HostPort(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new ConfigException(field, "port in \"" + text + "\" must be 1-65535", "write e.g. 127.0.0.1:7001");
        }
    }
}
