package dev.ferry.mapping;

import java.util.List;

/**
 * Where mapped rows go.
 *
 * @param table         target table
 * @param mode          how rows are written
 * @param matchOn       target columns identifying a row
 * @param updateColumns columns set when a row already exists (empty for {@link WriteMode#INSERT})
 * @param partitionBy   for {@link WriteMode#REPLACE}: the columns whose values name a partition (a business date,
 *                      a file); every target row of a partition present in a batch is replaced by the batch's rows
 */
public record TargetSpec(String table, WriteMode mode, List<String> matchOn, List<String> updateColumns, List<String> partitionBy) {

    public TargetSpec {
        matchOn = List.copyOf(matchOn);
        updateColumns = List.copyOf(updateColumns);
        partitionBy = List.copyOf(partitionBy);
    }

    public TargetSpec(String table, WriteMode mode, List<String> matchOn, List<String> updateColumns) {
        this(table, mode, matchOn, updateColumns, List.of());
    }
}
