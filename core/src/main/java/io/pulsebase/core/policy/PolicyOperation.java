package io.pulsebase.core.policy;

import java.util.Locale;

/** What a table policy governs. */
public enum PolicyOperation {
    /** Reading rows: snapshots, live changes, {@code since} replays, SSE, REST reads. */
    SELECT,
    /** Rows a caller may insert (checked on the new row). */
    INSERT,
    /** Rows a caller may update (checked on the row before and after). */
    UPDATE,
    /** Rows a caller may delete (checked on the row before). */
    DELETE;

    /** The name in a policy file: {@code select}, {@code insert}, {@code update}, {@code delete}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The operation of a policy file key, or {@code null}. */
    static PolicyOperation ofConfigName(String name) {
        for (PolicyOperation op : values()) {
            if (op.configName().equals(name)) {
                return op;
            }
        }
        return null;
    }
}
