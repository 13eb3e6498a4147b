package vigil.api.status;

/**
 * Whether a node takes part. UNCLEAN: it fell silent (or failed to stop something) and must be fenced before its
 * resources can be recovered; OFFLINE: cleanly gone (stopped, or fenced and confirmed off).
 */
public enum Membership { ONLINE, OFFLINE, UNCLEAN }
