package dev.ferry.source.binlog;

import dev.ferry.pipeline.Alerts;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.FieldSpec;
import dev.ferry.mapping.Mapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Notices a source table's columns changing under a running stream (Debezium itself follows the DDL): a new
 * column the mapping does not read is ignored with one warning; a column the mapping reads that is gone from the
 * rows is an ALERT (its field gets no value: a required field dead-letters the rows, an optional one writes NULL).
 */
final class SchemaDrift {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaDrift.class);

    private final String integration;
    private final Set<String> mapped = new HashSet<>();
    private final Map<String, Set<String>> seen = new HashMap<>();
    private final Set<String> reported = new HashSet<>();

    SchemaDrift(String integration, Mapping mapping) {
        this.integration = integration;
        for (FieldSpec f : mapping.fields()) {
            String from = f.from();
            if (from != null && (from.startsWith("row.") || from.startsWith("after.") || from.startsWith("before."))) {
                mapped.add(from.substring(from.indexOf('.') + 1));
            }
        }
    }

    void check(JsonNode record) {
        JsonNode row = record.path("row");
        if (!row.isObject()) {
            return;
        }
        String table = record.path("table").asText();
        Set<String> columns = new HashSet<>();
        for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
            columns.add(it.next());
        }
        Set<String> before = seen.put(table, columns);
        for (String c : columns) {
            if (before != null && !before.contains(c) && !mapped.contains(c) && reported.add(table + "+" + c)) {
                LOG.warn("{}: source table {} has a new column '{}' that the mapping does not read; it is ignored "
                        + "(map it to copy it)", integration, table, c);
            }
        }
        for (String c : mapped) {
            if (!columns.contains(c) && reported.add(table + "-" + c)) {
                Alerts.raise(Alerts.Level.CRITICAL, integration, "binlog-column-dropped", "source table " + table
                        + " no longer has column '" + c + "' that the mapping reads (dropped or renamed?); its field gets no value from now on");
            }
        }
    }
}
