package dev.ferry.mapping;

import java.util.List;

/**
 * Where mapped rows go.
 *
 * @param table         target table
 * @param mode          how rows are written
 * @param matchOn       target columns identifying a row
 * @param updateColumns columns set when a row already exists (empty for {@link WriteMode#INSERT})
 */
public record TargetSpec(String table, WriteMode mode, List<String> matchOn, List<String> updateColumns) {

    public TargetSpec {
        matchOn = List.copyOf(matchOn);
        updateColumns = List.copyOf(updateColumns);
    }
}
