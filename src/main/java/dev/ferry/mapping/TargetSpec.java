package dev.ferry.mapping;

import java.util.List;

/**
 * Where mapped rows go.
 *
 * @param table         target table
 * @param mode          how rows are written
 * @param matchOn       target columns identifying a row
 * @param updateColumns columns set when a row already exists (empty for {@link WriteMode#INSERT})
 * @param allowOtherUniqueKeys unique indexes of the target besides the match columns' that the mapping accepts
 *                             ({@code target.allowOtherUniqueKeys}); any other one refuses startup
 * @param partitionBy   for {@link WriteMode#REPLACE}: the columns whose values name a partition (a business date,
 *                      a file); every target row of a partition present in a batch is replaced by the batch's rows
 */
public record TargetSpec(String table, WriteMode mode, List<String> matchOn, List<String> updateColumns,
                         List<String> allowOtherUniqueKeys, List<String> partitionBy) {

    public TargetSpec {
        matchOn = List.copyOf(matchOn);
        updateColumns = List.copyOf(updateColumns);
        partitionBy = List.copyOf(partitionBy);
        allowOtherUniqueKeys = List.copyOf(allowOtherUniqueKeys);
    }

    public TargetSpec(String table, WriteMode mode, List<String> matchOn, List<String> updateColumns) {
        this(table, mode, matchOn, updateColumns, List.of(), List.of());
    }

    public TargetSpec(String table, WriteMode mode, List<String> matchOn, List<String> updateColumns, List<String> allowOtherUniqueKeys) {
        this(table, mode, matchOn, updateColumns, allowOtherUniqueKeys, List.of());
    }
}
