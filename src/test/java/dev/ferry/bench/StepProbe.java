package dev.ferry.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Ferry;
import dev.ferry.devservices.BenchRecords;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.RecordMapper;
import dev.ferry.pipeline.TargetTable;
import org.apache.camel.CamelContext;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a Ferry batch spends its time, statement by statement: replays the pipeline's per-batch work (parse, map +
 * MD5, known-hash lookup, TSV build, LOAD DATA into staging, staging row count, claim keys, ownership count, upsert,
 * commit, reconciliation count and compare) for the same records on copies of Ferry's tables ({@code probe_*}),
 * with the SQL of {@code StagingWriter}, {@code Promoter}, {@code IdempotencyStore} and {@code BatchReconciler}
 * mirrored here. No HTTP (pages are generated in memory) so the sum is Ferry's database + CPU work alone. It is a
 * probe, not the product: if main's SQL changes, this copy must follow.
 */
final class StepProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IDEM = "probe_idempotency";
    private static final String STG = "probe_staging";
    private static final String TGT = "probe_target";
    /** Variant: staging without its secondary index on _ferry_staged_at. */
    private static final String LEAN = "probe_staging_lean";
    /** Variant: the 10 data columns only (like bench_load), loaded in the same per-batch chunks. */
    private static final String PLAIN = "probe_plain";

    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private final Map<String, Long> variants = new LinkedHashMap<>();

    private StepProbe() {
    }

    static void run(CamelContext camel, BenchRecords bench, long records, int batch, double ferrySeconds) throws Exception {
        Ferry ferry = camel.getRegistry().lookupByNameAndType("ferry", Ferry.class);
        TargetTable target = ferry.pipeline(PipelineBenchmark.INTEGRATION).target();
        System.out.println("\n== Probe: Ferry's per-batch steps replayed one by one on copies of its tables (no HTTP)");
        StepProbe p = new StepProbe();
        try (Connection c = ferry.dataSource().getConnection()) {
            try (Statement s = c.createStatement()) {
                for (String[] t : new String[][] { { IDEM, "ferry_idempotency" }, { STG, target.stagingTable() }, { TGT, target.table() },
                        { LEAN, target.stagingTable() }, { PLAIN, target.table() } }) {
                    s.execute("DROP TABLE IF EXISTS " + t[0]);
                    s.execute("CREATE TABLE " + t[0] + " LIKE `" + t[1] + "`");
                }
                s.execute("ALTER TABLE " + LEAN + " DROP INDEX `ix_" + target.stagingTable() + "_staged_at`");
            }
            p.replay(c, target, bench, records, batch);
            try (Statement s = c.createStatement()) {
                for (String t : new String[] { IDEM, STG, TGT, LEAN, PLAIN }) {
                    s.execute("DROP TABLE " + t);
                }
            }
        }
        p.print(records, ferrySeconds);
    }

    private void replay(Connection c, TargetTable target, BenchRecords bench, long records, int batch) throws Exception {
        RecordMapper mapper = target.mapping().newMapper(null);
        String integration = target.mapping().integration();
        String columns = "`" + TargetTable.BATCH_ID + "`, `" + TargetTable.KEY + "`, `" + TargetTable.HASH + "`, " + target.columnList(null);
        String owned = " FROM " + STG + " s JOIN " + IDEM + " i ON i.integration = ? AND i.business_key = s." + TargetTable.KEY
                + " AND i.last_batch_id = ? WHERE s." + TargetTable.BATCH_ID + " = ?";
        String claimSql = "INSERT INTO " + IDEM + " (integration, business_key, content_hash, first_batch_id, last_batch_id, last_seen) "
                + "SELECT ?, s." + TargetTable.KEY + ", s." + TargetTable.HASH + ", ?, ?, NOW(3) FROM " + STG + " s WHERE s."
                + TargetTable.BATCH_ID + " = ? ON DUPLICATE KEY UPDATE last_batch_id = IF(content_hash = VALUES(content_hash), "
                + "last_batch_id, VALUES(last_batch_id)), last_seen = VALUES(last_seen), content_hash = VALUES(content_hash)";
        List<String> updates = target.mappedColumns().stream().map(TargetTable.Column::name).filter(n -> !n.equals("id")).toList();
        String upsertSql = "INSERT INTO " + TGT + " (" + target.columnList(null) + ") SELECT " + target.columnList("s") + owned
                + " ON DUPLICATE KEY UPDATE " + String.join(", ", updates.stream().map(n -> TGT + ".`" + n + "` = VALUES(`" + n + "`)").toList());
        String same = String.join(" AND ", target.mappedColumns().stream().map(col -> "s.`" + col.name() + "` <=> t.`" + col.name() + "`").toList());
        String compareSql = "SELECT s." + TargetTable.KEY + ", CASE WHEN t.`id` IS NULL THEN 'MISSING' ELSE 'DIFFERENT' END FROM " + STG
                + " s JOIN " + IDEM + " i ON i.integration = ? AND i.business_key = s." + TargetTable.KEY + " AND i.content_hash = s."
                + TargetTable.HASH + " LEFT JOIN " + TGT + " t ON t.`id` = s.`id` WHERE s." + TargetTable.BATCH_ID + " = ? AND ((t.`id` IS NULL) "
                + "OR (t.`id` IS NOT NULL AND NOT (" + same + ")))";
        String countSql = "SELECT COUNT(*) FROM " + STG + " WHERE `" + TargetTable.BATCH_ID + "` = ?";

        ByteArrayOutputStream page = new ByteArrayOutputStream(1 << 22);
        long batchId = 0;
        long problems = 0;
        for (long from = 0; from < records; from += batch) {
            batchId++;
            page.reset();
            try (JsonGenerator g = JSON.getFactory().createGenerator(page, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeArrayFieldStart("items");
                bench.write(g, from, Math.min(records, from + batch));
                g.writeEndArray();
                g.writeEndObject();
            }
            long t = System.nanoTime();
            JsonNode json = JSON.readTree(page.toByteArray());
            List<JsonNode> recs = target.mapping().selectRecords(json);
            t = lap("JSON parse + select (in memory, no HTTP)", t);

            LinkedHashMap<String, MappedRow> byKey = new LinkedHashMap<>(recs.size() * 2);
            for (JsonNode r : recs) {
                for (MappedRow row : mapper.map(r)) {
                    byKey.put(row.businessKey(), row);
                }
            }
            t = lap("map + MD5 content hash (RecordMapper)", t);

            Map<String, String> known = new HashMap<>();
            List<String> keys = new ArrayList<>(byKey.keySet());
            for (int i = 0; i < keys.size(); i += 1000) {
                List<String> chunk = keys.subList(i, Math.min(keys.size(), i + 1000));
                try (PreparedStatement ps = c.prepareStatement("SELECT business_key, content_hash FROM " + IDEM
                        + " WHERE integration = ? AND business_key IN (" + "?,".repeat(chunk.size() - 1) + "?)")) {
                    ps.setString(1, integration);
                    for (int k = 0; k < chunk.size(); k++) {
                        ps.setString(k + 2, chunk.get(k));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            known.put(rs.getString(1), rs.getString(2));
                        }
                    }
                }
            }
            t = lap("known-hash lookup (IN lists of 1000 keys)", t);

            ByteArrayOutputStream tsv = new ByteArrayOutputStream(byKey.size() * 160);
            StringBuilder line = new StringBuilder(256);
            for (MappedRow row : byKey.values()) {
                line.setLength(0);
                line.append(batchId).append('\t').append(row.businessKey()).append('\t').append(row.contentHash());
                for (Object v : row.values()) {
                    line.append('\t');
                    appendValue(line, v);
                }
                line.append('\n');
                tsv.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
            }
            t = lap("stage: build TSV in memory", t);
            try (Statement s = c.createStatement()) {
                s.unwrap(com.mysql.cj.jdbc.JdbcStatement.class).setLocalInfileInputStream(new ByteArrayInputStream(tsv.toByteArray()));
                s.execute("LOAD DATA LOCAL INFILE 'probe.tsv' INTO TABLE " + STG + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' "
                        + "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + columns + ")");
            }
            t = lap("stage: LOAD DATA LOCAL into staging", t);
            byte[] bytes = tsv.toByteArray();
            variant(c, "variant: same LOAD into staging without the staged_at index", LEAN, bytes, columns);
            ByteArrayOutputStream plain = new ByteArrayOutputStream(byKey.size() * 120);
            for (MappedRow row : byKey.values()) {
                line.setLength(0);
                for (Object v : row.values()) {
                    if (line.length() > 0) {
                        line.append('\t');
                    }
                    appendValue(line, v);
                }
                line.append('\n');
                plain.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
            }
            variant(c, "variant: LOAD of the 10 data columns only, same chunks", PLAIN, plain.toByteArray(), target.columnList(null));
            t = System.nanoTime();
            problems += Math.abs(count(c, countSql, batchId) - byKey.size());
            t = lap("stage: staging row count", t);

            c.setAutoCommit(false);
            exec(c, claimSql, integration, batchId, batchId, batchId);
            t = lap("promote: claim keys (INSERT…SELECT…ON DUP into idempotency)", t);
            count(c, "SELECT COUNT(*), COALESCE(SUM(i.first_batch_id = i.last_batch_id), 0)" + owned, integration, batchId, batchId);
            t = lap("promote: ownership count (staging ⋈ idempotency)", t);
            exec(c, upsertSql, integration, batchId, batchId);
            t = lap("promote: upsert target (INSERT…SELECT…ON DUP)", t);
            c.commit();
            c.setAutoCommit(true);
            t = lap("promote: commit", t);

            count(c, countSql, batchId);
            t = lap("reconcile: staging row count again", t);
            try (PreparedStatement ps = c.prepareStatement(compareSql)) {
                ps.setString(1, integration);
                ps.setLong(2, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        problems++;
                    }
                }
            }
            lap("reconcile: compare staging ⋈ idempotency ⟕ target", t);
        }
        if (problems != 0 || count(c, "SELECT COUNT(*) FROM " + TGT) != records) {
            System.out.println("   PROBE WARNING: " + problems + " count/compare problems; probe target holds "
                    + count(c, "SELECT COUNT(*) FROM " + TGT) + " rows");
        }
    }

    /** Timed apart from the replay's sum: a variant replaces a step, it is not part of it. */
    private void variant(Connection c, String what, String table, byte[] tsv, String columns) throws SQLException {
        long t = System.nanoTime();
        try (Statement s = c.createStatement()) {
            s.unwrap(com.mysql.cj.jdbc.JdbcStatement.class).setLocalInfileInputStream(new ByteArrayInputStream(tsv));
            s.execute("LOAD DATA LOCAL INFILE 'variant.tsv' INTO TABLE " + table + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' "
                    + "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + columns + ")");
        }
        variants.merge(what, System.nanoTime() - t, Long::sum);
    }

    private long lap(String step, long since) {
        long now = System.nanoTime();
        nanos.merge(step, now - since, Long::sum);
        return now;
    }

    private void print(long records, double ferrySeconds) {
        long total = nanos.values().stream().mapToLong(Long::longValue).sum();
        for (Map.Entry<String, Long> e : nanos.entrySet()) {
            System.out.printf("   %-62s %7.2f s %5.1f %%  %6.2f µs/row%n", e.getKey(), e.getValue() / 1e9, 100.0 * e.getValue() / total,
                    e.getValue() / 1e3 / records);
        }
        System.out.printf("   %-62s %7.2f s          → %,.0f rows/s for the batch work alone (Ferry's whole run: %.2f s)%n",
                "sum", total / 1e9, records / (total / 1e9), ferrySeconds);
        for (Map.Entry<String, Long> e : variants.entrySet()) {
            System.out.printf("   %-62s %7.2f s          %6.2f µs/row%n", e.getKey(), e.getValue() / 1e9, e.getValue() / 1e3 / records);
        }
    }

    /** StagingWriter.appendValue, mirrored (package-private in main). */
    private static void appendValue(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("\\N");
        } else if (v instanceof String str) {
            for (int i = 0; i < str.length(); i++) {
                char ch = str.charAt(i);
                switch (ch) {
                    case '\\' -> sb.append("\\\\");
                    case '\t' -> sb.append("\\t");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\0' -> sb.append("\\0");
                    default -> sb.append(ch);
                }
            }
        } else if (v instanceof BigDecimal d) {
            sb.append(d.toPlainString());
        } else if (v instanceof Boolean b) {
            sb.append(b ? '1' : '0');
        } else if (v instanceof LocalDateTime t) {
            sb.append(t.toLocalDate()).append(' ').append(t.toLocalTime());
        } else {
            sb.append(v);
        }
    }

    private static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
