package dev.ferry.reconcile;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trends of reconciliation (S4.5, issue 10 item 9) in 5 min, 1 h or 1 day buckets: rows checked (source rows of
 * the runs started in the bucket), differences found, late (settled by a re-check), mismatched (confirmed, including
 * those corrected since), auto-corrected, resolved. Read from the result tables, so every replica and the CLI agree.
 */
public final class ReconcileTrends {

    /** A bucket width the report and the metrics know. */
    public enum Bucket {
        MINUTES_5("5m", Duration.ofMinutes(5),
                "CONCAT(DATE_FORMAT(%1$s, '%%Y-%%m-%%d %%H:'), LPAD(FLOOR(MINUTE(%1$s) / 5) * 5, 2, '0'))"),
        HOUR("1h", Duration.ofHours(1), "DATE_FORMAT(%1$s, '%%Y-%%m-%%d %%H:00')"),
        DAY("1d", Duration.ofDays(1), "DATE_FORMAT(%1$s, '%%Y-%%m-%%d')");

        private final String label;
        private final Duration width;
        private final String sql;

        Bucket(String label, Duration width, String sql) {
            this.label = label;
            this.width = width;
            this.sql = sql;
        }

        public String label() {
            return label;
        }

        public Duration width() {
            return width;
        }

        /** The bucket's start as text, e.g. {@code 2026-11-20 10:35}; the same SQL on MySQL 8 and MariaDB. */
        String of(String column) {
            return String.format(sql, column);
        }

        public static Bucket parse(String text) {
            for (Bucket b : values()) {
                if (b.label.equalsIgnoreCase(text.trim())) {
                    return b;
                }
            }
            throw new IllegalArgumentException("bucket must be 5m, 1h or 1d, not '" + text + "'");
        }
    }

    /** One bucket of one integration. */
    public record Row(String integration, String bucket, long runs, long checked, long found, long late, long mismatched,
                      long corrected, long resolved) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("integration", integration);
            m.put("bucket", bucket);
            m.put("runs", runs);
            m.put("checked", checked);
            m.put("found", found);
            m.put("late", late);
            m.put("mismatched", mismatched);
            m.put("corrected", corrected);
            m.put("resolved", resolved);
            return m;
        }
    }

    private final DataSource dataSource;

    public ReconcileTrends(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The last {@code count} buckets up to {@code now}, per integration (null: all), oldest first; empty buckets left out. */
    public List<Row> buckets(String integration, Bucket bucket, int count, Instant now) {
        Timestamp from = Timestamp.from(now.minus(bucket.width().multipliedBy(Math.max(1, count))));
        Map<String, long[]> acc = new TreeMap<>();
        query("SELECT integration, " + bucket.of("started_at") + " AS b, COUNT(*), COALESCE(SUM(source_rows), 0) FROM ferry_recon_run"
                + " WHERE (? IS NULL OR integration = ?) AND started_at >= ? GROUP BY integration, b", integration, from, acc, 0, 2);
        query("SELECT integration, " + bucket.of("found_at") + " AS b, COUNT(*), SUM(state = 'LATE'), SUM(state IN ('CONFIRMED', 'CORRECTED')),"
                + " SUM(state = 'CORRECTED'), SUM(review_status = 'RESOLVED') FROM ferry_recon_difference"
                + " WHERE (? IS NULL OR integration = ?) AND found_at >= ? GROUP BY integration, b", integration, from, acc, 2, 5);
        List<Row> out = new ArrayList<>();
        acc.forEach((k, v) -> {
            int sep = k.indexOf('\u0000');
            out.add(new Row(k.substring(0, sep), k.substring(sep + 1), v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
        });
        out.sort((a, b) -> a.bucket().equals(b.bucket()) ? a.integration().compareTo(b.integration()) : a.bucket().compareTo(b.bucket()));
        return out;
    }

    /** Totals over the trailing window of one bucket width ({@code now - width, now]} per integration: what the metrics show. */
    public Map<String, Row> trailing(Bucket bucket, Instant now) {
        Timestamp from = Timestamp.from(now.minus(bucket.width()));
        Map<String, long[]> acc = new TreeMap<>();
        query("SELECT integration, '' AS b, COUNT(*), COALESCE(SUM(source_rows), 0) FROM ferry_recon_run WHERE (? IS NULL OR integration = ?)"
                + " AND started_at >= ? GROUP BY integration", null, from, acc, 0, 2);
        query("SELECT integration, '' AS b, COUNT(*), SUM(state = 'LATE'), SUM(state IN ('CONFIRMED', 'CORRECTED')), SUM(state = 'CORRECTED'),"
                + " SUM(review_status = 'RESOLVED') FROM ferry_recon_difference WHERE (? IS NULL OR integration = ?) AND found_at >= ?"
                + " GROUP BY integration", null, from, acc, 2, 5);
        Map<String, Row> out = new LinkedHashMap<>();
        acc.forEach((k, v) -> out.put(k.substring(0, k.indexOf('\u0000')), new Row(k.substring(0, k.indexOf('\u0000')), bucket.label(),
                v[0], v[1], v[2], v[3], v[4], v[5], v[6])));
        return out;
    }

    private void query(String sql, String integration, Timestamp from, Map<String, long[]> acc, int offset, int columns) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, integration);
            ps.setString(2, integration);
            ps.setTimestamp(3, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long[] v = acc.computeIfAbsent(rs.getString(1) + '\u0000' + rs.getString(2), k -> new long[7]);
                    for (int i = 0; i < columns; i++) {
                        v[offset + i] = rs.getLong(3 + i);
                    }
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException("reading reconciliation trends: " + e.getMessage(), e);
        }
    }
}
