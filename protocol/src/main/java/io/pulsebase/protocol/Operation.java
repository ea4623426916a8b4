package io.pulsebase.protocol;

/** The operation of one row change, as it appears in {@code db_change} and in {@code events}. */
public enum Operation {
    INSERT,
    UPDATE,
    DELETE;

    /** The operation for a wire name (case-insensitive), or {@code null} when it is none of them. */
    public static Operation parse(String name) {
        if (name == null) {
            return null;
        }
        return switch (name.toUpperCase(java.util.Locale.ROOT)) {
            case "INSERT" -> INSERT;
            case "UPDATE" -> UPDATE;
            case "DELETE" -> DELETE;
            default -> null;
        };
    }
}
