package vigil.daemon.web;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admin sessions of the web page: after a login with an admin credential the browser holds a random session id in
 * an HttpOnly, SameSite=Strict cookie; every action must also carry the session's CSRF token (a second random value
 * that only pages of this session contain). Sessions end at logout, after {@link #IDLE} without use, or
 * {@link #LIFETIME} after login. Kept in memory: a restarted daemon asks for a new login.
 */
final class WebSessions {
    static final String COOKIE = "vigil_session";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LIFETIME = Duration.ofHours(8);
    private static final int MAX_SESSIONS = 100;

    /** One logged-in browser. {@code flash} is a message to show once, on the next page (what the last action did). */
    static final class Session {
        final String id;
        final String csrf;
        final Instant created;
        volatile Instant lastUsed;
        volatile String flash = "";
        volatile boolean flashIsError;

        Session(String id, String csrf, Instant created) {
            this.id = id;
            this.csrf = csrf;
            this.created = created;
            this.lastUsed = created;
        }

        /** The message for the next page, cleared once read. */
        synchronized String[] takeFlash() {
            String[] f = {flash, flashIsError ? "error" : "ok"};
            flash = "";
            return f;
        }

        synchronized void flash(String message, boolean error) {
            flash = message;
            flashIsError = error;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final InstantSource clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    WebSessions(InstantSource clock) { this.clock = clock; }

    Session create() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
        if (sessions.size() >= MAX_SESSIONS) {
            // the oldest goes: a flood of logins cannot grow this map without bound
            sessions.values().stream().min(java.util.Comparator.comparing(s -> s.lastUsed)).ifPresent(s -> sessions.remove(s.id));
        }
        Session s = new Session(token(), token(), now);
        sessions.put(s.id, s);
        return s;
    }

    /** The live session named by the request's cookie header, touched. */
    Optional<Session> find(String cookieHeader) {
        String id = cookie(cookieHeader, COOKIE);
        if (id == null) return Optional.empty();
        Session s = sessions.get(id);
        Instant now = clock.instant();
        if (s == null) return Optional.empty();
        if (expired(s, now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        s.lastUsed = now;
        return Optional.of(s);
    }

    void end(Session s) { sessions.remove(s.id); }

    /** Whether {@code s} is still a session (not ended, not expired); does not count as use. */
    boolean isLive(Session s) { return sessions.get(s.id) == s && !expired(s, clock.instant()); }

    private static boolean expired(Session s, Instant now) {
        return now.isAfter(s.lastUsed.plus(IDLE)) || now.isAfter(s.created.plus(LIFETIME));
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The value of cookie {@code name} in a Cookie header, or null. */
    static String cookie(String header, String name) {
        if (header == null) return null;
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.startsWith(name + "=")) return p.substring(name.length() + 1);
        }
        return null;
    }
}
