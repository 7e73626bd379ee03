package dev.ferry.reconcile;

import java.util.List;

/**
 * One finding for one business key. For a field mismatch {@code fields} names the differing target columns
 * and the values read {@code column=value, …} on each side.
 */
public record Difference(Category category, String key, List<String> fields, String sourceValue, String targetValue,
                         String message) {

    public Difference {
        fields = List.copyOf(fields);
    }
}
