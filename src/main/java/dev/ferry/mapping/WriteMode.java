package dev.ferry.mapping;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How mapped rows reach the target table (S2.5). */
public enum WriteMode {
    /** Insert new keys, update existing ones. */
    UPSERT("upsert"),
    /** Insert only; an existing key is left as it is. */
    INSERT("insert"),
    /** Update rows that already exist; unknown keys are counted as unmatched, never inserted. */
    UPDATE_ONLY("update-only"),
    /**
     * Upsert, and every target row of a partition (target.partitionBy) present in a batch that the batch does not
     * hold is deleted, in the batch's transaction (a corrected day file replaces its day).
     */
    REPLACE("replace");

    private final String yamlName;

    WriteMode(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in mapping files. */
    public String yamlName() {
        return yamlName;
    }

    /** Parses "upsert", "insert", "update-only" or "replace". */
    public static WriteMode parse(String text) {
        for (WriteMode m : values()) {
            if (m.yamlName.equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + text + "' (allowed: "
                + Arrays.stream(values()).map(WriteMode::yamlName).collect(Collectors.joining(", ")) + ")");
    }
}
