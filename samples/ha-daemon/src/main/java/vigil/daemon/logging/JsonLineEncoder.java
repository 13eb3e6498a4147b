package vigil.daemon.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.JsonEscapeUtil;

/**
 * One JSON object per log record: {@code timestamp} (epoch ms), {@code level}, {@code threadName},
 * {@code loggerName}, {@code node}, {@code formattedMessage} and, for an exception, {@code throwable}.
 */
public final class JsonLineEncoder extends JsonEncoder {
    public JsonLineEncoder() {
        setWithSequenceNumber(false);
        setWithNanoseconds(false);
        setWithContext(false);
        setWithMessage(false);
        setWithArguments(false);
        setWithFormattedMessage(true);
    }

    @Override
    protected void appendCustomFields(StringBuilder sb, ILoggingEvent event) {
        String node = event.getLoggerContextVO() == null ? null : event.getLoggerContextVO().getPropertyMap().get("node");
        sb.append(VALUE_SEPARATOR);
        appenderMember(sb, "node", JsonEscapeUtil.jsonEscapeString(node == null ? "-" : node));
    }
}
