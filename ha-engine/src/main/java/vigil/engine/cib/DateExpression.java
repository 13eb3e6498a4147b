package vigil.engine.cib;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Whether a rule's {@code date_expression} holds at an instant ("Pacemaker Explained", Date/Time Expressions):
 * {@code gt} (after start), {@code lt} (before end), {@code in_range} (from start, to end or start + duration, both
 * included) and {@code date_spec} (every field given - hours, monthdays, weekdays, yeardays, months, weeks, years,
 * weekyears - matches, each a number or a range {@code N-M}). Times are ISO 8601: {@code 2019-09-20 15:10:52 +00:00},
 * {@code 2005-020T12:30} (ordinal), {@code 2005-W03-4} (week date); one without an offset is UTC. A duration is a
 * {@code duration} element with years, months, weeks, days, hours, minutes and seconds.
 */
final class DateExpression {
    private static final Pattern DATE = Pattern.compile("(\\d{4})-(?:(\\d{1,2})-(\\d{1,2})|W(\\d{1,2})-(\\d)|(\\d{3}))");
    private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\.\\d+)?");
    private static final Pattern OFFSET = Pattern.compile("(Z|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final List<String> SPEC_FIELDS = List.of("hours", "monthdays", "weekdays", "yeardays", "months", "weeks", "years", "weekyears");

    private DateExpression() {}

    static boolean holds(Element x, Instant now, String where) {
        String op = x.getAttribute("operation").isEmpty() ? "in_range" : x.getAttribute("operation");
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        switch (op) {
            case "gt" -> {
                return t.isAfter(time(x, "start", where));
            }
            case "lt" -> {
                return t.isBefore(time(x, "end", where));
            }
            case "in_range" -> {
                ZonedDateTime start = x.hasAttribute("start") ? time(x, "start", where) : null;
                ZonedDateTime end = x.hasAttribute("end") ? time(x, "end", where) : null;
                Element duration = child(x, "duration");
                if (end == null && duration != null) {
                    if (start == null) throw CibException.invalid(where, "in_range with a duration needs start");
                    end = plus(start, duration, where);
                }
                if (start == null && end == null) throw CibException.invalid(where, "in_range needs start, end or duration");
                return (start == null || !t.isBefore(start)) && (end == null || !t.isAfter(end));
            }
            case "date_spec" -> {
                Element spec = child(x, "date_spec");
                if (spec == null) throw CibException.invalid(where, "date_spec expression without a <date_spec>");
                return specMatches(spec, t, where + "/date_spec");
            }
            default -> throw CibException.invalid(where + "/@operation", "unknown date operation \"" + op + "\" (use gt, lt, in_range or date_spec)");
        }
    }

    private static boolean specMatches(Element spec, ZonedDateTime t, String where) {
        if (spec.hasAttribute("moon")) throw CibException.unsupported(where + "/@moon", "date_spec moon is not supported");
        Map<String, Integer> values = Map.of("hours", t.getHour(), "monthdays", t.getDayOfMonth(), "weekdays", t.getDayOfWeek().getValue(),
                "yeardays", t.getDayOfYear(), "months", t.getMonthValue(), "weeks", t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
                "years", t.getYear(), "weekyears", t.get(IsoFields.WEEK_BASED_YEAR));
        for (String f : SPEC_FIELDS) {
            String range = spec.getAttribute(f);
            if (range.isEmpty()) continue;
            if (!inRange(values.get(f), range.strip(), where + "/@" + f)) return false;
        }
        return true;
    }

    private static boolean inRange(int v, String range, String where) {
        try {
            int dash = range.indexOf('-', 1);
            if (dash < 0) return v == Integer.parseInt(range);
            return v >= Integer.parseInt(range.substring(0, dash).strip()) && v <= Integer.parseInt(range.substring(dash + 1).strip());
        } catch (NumberFormatException e) {
            throw CibException.invalid(where, "\"" + range + "\" is no number or range N-M");
        }
    }

    private static ZonedDateTime time(Element x, String attr, String where) {
        String v = x.getAttribute(attr);
        if (v.isEmpty()) throw CibException.invalid(where, "date operation " + x.getAttribute("operation") + " needs " + attr);
        return parseTime(v.strip(), where + "/@" + attr);
    }

    static ZonedDateTime parseTime(String s, String where) {
        Matcher d = DATE.matcher(s);
        if (!d.lookingAt()) throw CibException.invalid(where, "\"" + s + "\" is no ISO 8601 date (e.g. 2019-09-20 15:10:52 +00:00)");
        int year = Integer.parseInt(d.group(1));
        LocalDate date;
        try {
            if (d.group(2) != null) {
                date = LocalDate.of(year, Integer.parseInt(d.group(2)), Integer.parseInt(d.group(3)));
            } else if (d.group(4) != null) {
                date = LocalDate.of(year, 1, 4).with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, Integer.parseInt(d.group(4)))
                        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).plusDays(Integer.parseInt(d.group(5)) - 1L);
            } else {
                date = LocalDate.ofYearDay(year, Integer.parseInt(d.group(6)));
            }
        } catch (java.time.DateTimeException e) {
            throw CibException.invalid(where, "\"" + s + "\": " + e.getMessage());
        }
        String rest = s.substring(d.end());
        LocalTime time = LocalTime.MIDNIGHT;
        if (!rest.isEmpty() && (rest.charAt(0) == 'T' || rest.charAt(0) == ' ')) {
            Matcher tm = TIME.matcher(rest.substring(1));
            if (tm.lookingAt()) {
                time = LocalTime.of(Integer.parseInt(tm.group(1)), Integer.parseInt(tm.group(2)), tm.group(3) == null ? 0 : Integer.parseInt(tm.group(3)));
                rest = rest.substring(1 + tm.end());
            }
        }
        Matcher o = OFFSET.matcher(rest.strip());
        if (!o.matches()) throw CibException.invalid(where, "\"" + s + "\" is no ISO 8601 date and time");
        ZoneOffset zone = o.group(1) == null || o.group(1).equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(o.group(1).length() == 5 && !o.group(1).contains(":")
                ? o.group(1).substring(0, 3) + ":" + o.group(1).substring(3) : o.group(1));
        return LocalDateTime.of(date, time).atZone(zone).withZoneSameInstant(ZoneOffset.UTC);
    }

    private static ZonedDateTime plus(ZonedDateTime start, Element duration, String where) {
        long[] f = new long[7];
        String[] names = {"years", "months", "weeks", "days", "hours", "minutes", "seconds"};
        for (int i = 0; i < names.length; i++) {
            String v = duration.getAttribute(names[i]);
            if (v.isEmpty()) continue;
            try {
                f[i] = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                throw CibException.invalid(where + "/duration/@" + names[i], "\"" + v + "\" is no number");
            }
        }
        return add(start, f);
    }

    private static ZonedDateTime add(ZonedDateTime t, long[] f) {
        return t.plusYears(f[0]).plusMonths(f[1]).plusWeeks(f[2]).plusDays(f[3]).plusHours(f[4]).plusMinutes(f[5]).plusSeconds(f[6]);
    }

    private static Element child(Element e, String tag) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) return c;
        }
        return null;
    }
}
