package dev.ferry.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.mapping.MappingException;

import javax.sql.DataSource;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code mappings/<integration>.reconcile.yaml}:
 * <pre>
 * integration: payment-bills
 * source: { table: provider.bills, key: [bill_no], scope: bill_date, age: updated_at }   # or http: / file:
 * target: { table: payment_bill, key: [bill_no], scope: bill_date }
 * columns: { amount: { source: amt, epsilon: 0.01 }, status: { trim: true, caseFold: true }, paid_at: { precision: 1s } }
 * twoWay: true
 * totals: { groupBy: merchant, sum: [amount], warn: "1%", fail: 5 }
 * rules: [ payment-bills.amount-sign.groovy ]
 * minAge: 5m
 * recheck: [5s, 30s, 60s]
 * fast: true
 * </pre>
 * Column names are the target's; {@code source:} names the source column when it differs. Errors name the file
 * and the setting.
 */
public final class ReconcileLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Set<String> TOP = Set.of("integration", "source", "target", "columns", "twoWay", "totals", "rules",
            "minAge", "recheck", "fast", "autoCorrect");

    private ReconcileLoader() {
    }

    /** The definition beside the mappings for {@code integration}, or null when there is none. */
    public static ReconcileDefinition find(Path mappingsDir, String integration, DataSource ferryDb, boolean trustedGroovy) {
        Path file = mappingsDir.resolve(integration + ".reconcile.yaml");
        return Files.isRegularFile(file) ? load(file, ferryDb, trustedGroovy) : null;
    }

    public static ReconcileDefinition load(Path file, DataSource ferryDb, boolean trustedGroovy) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new MappingException(file + ": not readable YAML: " + e.getMessage(), e);
        }
        String where = file.toString();
        if (root == null || !root.isObject()) {
            throw new MappingException(where + ": expected a YAML object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP.contains(k)) {
                throw new MappingException(where + ": unknown setting '" + k + "' (known: " + TOP + ")");
            }
        }
        String integration = required(root, "integration", where);
        List<ColumnCheck> columns = new ArrayList<>();
        JsonNode cols = root.path("columns");
        for (Iterator<String> it = cols.fieldNames(); it.hasNext(); ) {
            String target = it.next();
            JsonNode c = cols.get(target);
            String w = where + ": columns." + target;
            columns.add(new ColumnCheck(c.path("source").asText(target), target,
                    c.has("epsilon") ? new BigDecimal(c.get("epsilon").asText()) : null,
                    c.has("precision") ? duration(c.get("precision").asText(), w + ".precision") : null,
                    c.path("trim").asBoolean(false), c.path("caseFold").asBoolean(false)));
        }
        Side source = side(root.get("source"), where + ": source", columns, true, ferryDb, file, integration);
        Side target = side(root.get("target"), where + ": target", columns, false, ferryDb, file, integration);
        List<GroovyRule> rules = new ArrayList<>();
        for (JsonNode r : root.path("rules")) {
            Path rule = file.resolveSibling(r.asText());
            if (!Files.isRegularFile(rule)) {
                throw new MappingException(where + ": rules: no file " + rule);
            }
            rules.add(GroovyRule.load(rule, trustedGroovy));
        }
        TotalsCheck totals = null;
        JsonNode t = root.get("totals");
        if (t != null) {
            JsonNode g = t.get("groupBy");
            String gs = g == null ? null : g.isObject() ? g.path("source").asText(null) : g.asText();
            String gt = g == null ? null : g.isObject() ? g.path("target").asText(null) : g.asText();
            List<ColumnCheck> sums = new ArrayList<>();
            for (JsonNode s : t.path("sum")) {
                String name = s.asText();
                sums.add(columns.stream().filter(c -> c.targetColumn().equals(name)).findFirst().orElse(ColumnCheck.exact(name)));
            }
            totals = new TotalsCheck(gs, gt, sums, t.has("warn") ? TotalsCheck.Threshold.parse(t.get("warn").asText()) : null,
                    t.has("fail") ? TotalsCheck.Threshold.parse(t.get("fail").asText()) : null);
        }
        List<Duration> recheck = new ArrayList<>();
        if (root.has("recheck")) {
            for (JsonNode d : root.get("recheck")) {
                recheck.add(duration(d.asText(), where + ": recheck"));
            }
        } else {
            recheck.addAll(ReconcileDefinition.DEFAULT_RECHECK);
        }
        return new ReconcileDefinition(integration, source, target, columns, rules, root.path("twoWay").asBoolean(false), totals,
                root.has("minAge") ? duration(root.get("minAge").asText(), where + ": minAge") : Duration.ZERO, recheck,
                root.path("fast").asBoolean(false), root.path("autoCorrect").asBoolean(false));
    }

    private static Side side(JsonNode n, String where, List<ColumnCheck> columns, boolean source, DataSource ferryDb, Path file,
                             String integration) {
        if (n == null || !n.isObject()) {
            throw new MappingException(where + ": expected { table | http | file | kafka, key, ... }");
        }
        List<String> key = new ArrayList<>();
        n.path("key").forEach(k -> key.add(k.asText()));
        if (key.isEmpty()) {
            throw new MappingException(where + ".key: name the business key column(s)");
        }
        List<String> fields = columns.stream().map(c -> source ? c.sourceColumn() : c.targetColumn()).toList();
        ZoneId zone = n.has("zone") ? ZoneId.of(n.get("zone").asText()) : null;
        String scope = n.path("scope").asText(null);
        String age = n.path("age").asText(null);
        try {
            if (n.has("table")) {
                // url: another database server (the source system's own); secrets as {{placeholders}}
                DataSource db = n.has("url") ? SourceDatabases.pool(property(n.get("url").asText()),
                        property(n.path("username").asText(null)), property(n.path("password").asText(null))) : ferryDb;
                return new JdbcTableSide(db, n.get("table").asText(), key, fields, scope, age, zone);
            }
            if (n.has("http")) {
                return new HttpSide(n.get("http").asText(), n.path("records").asText(""), n.path("scopeParam").asText(null),
                        n.path("pageParam").asText(null), n.path("pageSizeParam").asText(null), n.path("pageSize").asInt(100),
                        key, fields, scope, age, zone);
            }
            if (n.has("kafka")) {
                return new KafkaSide(property(n.path("brokers").asText(null)), n.get("kafka").asText(), key, fields, scope, age, zone,
                        n.path("latest").asBoolean(true), n.has("timeout") ? duration(n.get("timeout").asText(), where + ".timeout")
                        : Duration.ofSeconds(60), new KafkaSide.DeadLetters(ferryDb, integration));
            }
            if (n.has("file")) {
                return new FileSide(file.resolveSibling(n.get("file").asText()), Charset.forName(n.path("charset").asText("UTF-8")),
                        n.path("delimiter").asText(",").charAt(0), key, fields, scope);
            }
        } catch (IllegalArgumentException e) {
            throw new MappingException(where + ": " + e.getMessage(), e);
        }
        throw new MappingException(where + ": name one of table, http, file (Kafka stream pairs are not supported yet)");
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}]+)}}");

    /**
     * {@code {{kafka.brokers}}}: a system property, else the environment variable in Ferry's convention
     * ({@code KAFKA_BROKERS}); the definition is read outside Camel's property resolution (the CLI reads it too).
     */
    static String property(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1).trim();
            String v = System.getProperty(name);
            if (v == null) {
                v = System.getenv(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
            }
            if (v == null) {
                throw new IllegalArgumentException("{{" + name + "}} is not set (system property " + name + " or environment variable "
                        + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_') + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String required(JsonNode root, String key, String where) {
        JsonNode v = root.get(key);
        if (v == null || v.asText().isBlank()) {
            throw new MappingException(where + ": '" + key + "' is required");
        }
        return v.asText();
    }

    private static Duration duration(String text, String where) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new MappingException(where + ": '" + text + "' is not a duration (e.g. 500ms, 5s, 5m, 1h, 1d)");
        }
        long v = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(v);
            case "s" -> Duration.ofSeconds(v);
            case "m" -> Duration.ofMinutes(v);
            case "h" -> Duration.ofHours(v);
            default -> Duration.ofDays(v);
        };
    }
}
