package dev.ferry.source.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.FieldSpec;
import dev.ferry.mapping.LookupSource;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.RecordMapper;

import java.util.List;

/**
 * Tells a record that cannot be processed yet: a look-up declared {@code onMissing: retry} in the mapping finds
 * nothing for it (the user's country is not in dim_country yet). Such a record goes to the retry topic instead of
 * the batch, so its partition goes on. Checked against the table as it is now ({@link LookupSource#lookupFresh}).
 * Only fields read straight from the record ({@code from:}) are checked; a look-up of a computed field is left to
 * the mapping, which dead-letters a miss.
 */
final class RetryGate {

    private final List<FieldSpec> retryFields;
    private final LookupSource lookups;

    RetryGate(Mapping mapping, LookupSource lookups) {
        this.retryFields = mapping.fields().stream()
                .filter(f -> f.lookup() != null && f.lookup().retryWhenMissing() && f.expr() == null && f.from() != null)
                .toList();
        this.lookups = lookups;
    }

    boolean active() {
        return !retryFields.isEmpty();
    }

    /** Why the record is not ready yet, or null when it is. A database failure is thrown (an outage, not this record). */
    String notReady(JsonNode record) {
        for (FieldSpec f : retryFields) {
            JsonNode node = record;
            for (String part : f.from().split("\\.")) {
                node = node == null ? null : node.get(part);
            }
            Object key = node == null || node.isNull() || node.isMissingNode() ? null
                    : node.isNumber() ? node.numberValue() : node.asText(); // look-ups compare keys as normalised text
            if (key == null) {
                continue; // nothing to look up: the mapping decides (required or null)
            }
            FieldSpec.Lookup l = f.lookup();
            if (lookups.lookupFresh(l.table(), l.keyColumn(), l.valueColumn(), key) == null) {
                return RecordMapper.notYet(l, key);
            }
        }
        return null;
    }
}
