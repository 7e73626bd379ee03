package dev.ferry.authoring.trial;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ferry.mapping.GroovySandbox;
import dev.ferry.mapping.LookupSource;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingException;
import dev.ferry.mapping.MappingLoader;
import groovy.lang.Binding;
import groovy.lang.Script;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code ferry test}: test files beside the mappings ({@code <name>.test.yaml}) — samples with the rows, conditions
 * and rejections they must give — run through {@link Trial} (the pipeline's mapper and dedupe decision, nothing
 * written, lookups answered by the file's fixtures), with a diff per test that fails.
 *
 * <pre>
 * mapping: payment-bills                 # optional: the file name before .test.yaml
 * lookups: { dim_shop: { "7": Flagship } }  # table → key → value, for lookup fields
 * tests:
 *   - name: a bill per line
 *     input: |                           # inline (format: json | csv | jsonl, default json), or inputFile: a path
 *       bill_no,bill_date,amount
 *       B1,2026-11-20,12.50
 *     format: csv
 *     rows:                              # in order; only the columns named are compared (+ key, dedupe)
 *       - { key: B1, amount: 12.50 }
 *     conditions: [ "amount > 0" ]        # Groovy over each row's columns (and key), sandboxed
 *     rejected:                          # every rejection the sample must give (none when absent)
 *       - { where: line 3, field: amount, reason: "not a decimal" }
 *     neverFound: []                     # optional: fields whose path no record held
 * </pre>
 */
public final class MappingTests {

    public static final String SUFFIX = ".test.yaml";

    private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FILE_KEYS = Set.of("mapping", "lookups", "tests");
    private static final Set<String> TEST_KEYS = Set.of("name", "input", "inputFile", "format", "rows", "rowCount", "conditions",
            "rejected", "neverFound");

    /** One test's result: empty {@code differences} means it passed. */
    public record Outcome(Path file, String name, List<String> differences) {
        public boolean passed() {
            return differences.isEmpty();
        }
    }

    private MappingTests() {
    }

    /** Every test in the given files, and in the {@code *.test.yaml} files under the given directories. */
    public static List<Outcome> run(List<Path> paths, boolean trustedGroovy) throws IOException {
        List<Outcome> out = new ArrayList<>();
        for (Path file : testFiles(paths)) {
            out.addAll(runFile(file, trustedGroovy));
        }
        return out;
    }

    public static List<Path> testFiles(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    /** The report: one PASS/FAIL line per test, the differences under each failure, and a total. */
    public static String format(List<Outcome> outcomes) {
        StringBuilder out = new StringBuilder();
        for (Outcome o : outcomes) {
            out.append(o.passed() ? "PASS " : "FAIL ").append(o.file()).append(" › ").append(o.name()).append('\n');
            o.differences().forEach(d -> out.append("  ").append(d).append('\n'));
        }
        long failed = outcomes.stream().filter(o -> !o.passed()).count();
        out.append(outcomes.size()).append(" test(s), ").append(failed).append(" failed\n");
        return out.toString();
    }

    static List<Outcome> runFile(Path file, boolean trustedGroovy) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            return List.of(new Outcome(file, "(file)", List.of("cannot read: " + e.getMessage())));
        }
        List<String> unknown = unknownKeys(root, FILE_KEYS);
        if (root == null || !root.isObject() || !root.path("tests").isArray() || !unknown.isEmpty()) {
            return List.of(new Outcome(file, "(file)", List.of("a test file holds mapping, lookups and a list of tests"
                    + (unknown.isEmpty() ? "" : "; unknown keys " + unknown))));
        }
        String name = root.hasNonNull("mapping") ? root.get("mapping").asText()
                : file.getFileName().toString().substring(0, file.getFileName().toString().length() - SUFFIX.length());
        Mapping mapping;
        try {
            mapping = find(name, file.toAbsolutePath().getParent(), trustedGroovy);
        } catch (MappingException e) {
            return List.of(new Outcome(file, "(file)", List.of(e.getMessage())));
        }
        LookupSource lookups = fixtures(root.path("lookups"));
        List<Outcome> out = new ArrayList<>();
        int n = 0;
        for (JsonNode test : root.get("tests")) {
            n++;
            String testName = test.path("name").asText("test " + n);
            try {
                out.add(new Outcome(file, testName, runTest(file, mapping, test, lookups, trustedGroovy)));
            } catch (IOException | RuntimeException e) {
                out.add(new Outcome(file, testName, List.of("cannot run: " + e.getMessage())));
            }
        }
        return out;
    }

    private static List<String> runTest(Path file, Mapping mapping, JsonNode test, LookupSource lookups, boolean trusted) throws IOException {
        List<String> diff = new ArrayList<>();
        List<String> unknown = unknownKeys(test, TEST_KEYS);
        if (!unknown.isEmpty()) {
            return List.of("unknown keys " + unknown + " (known: " + TEST_KEYS + ")");
        }
        Sample sample = sample(file, mapping, test);
        Trial.Result r = Trial.run(mapping, sample, null, lookups);
        List<Trial.Row> rows = r.rows();
        if (test.has("rows")) {
            JsonNode expected = test.get("rows");
            for (int i = 0; i < Math.max(expected.size(), rows.size()); i++) {
                if (i >= rows.size()) {
                    diff.add("row " + (i + 1) + ": expected " + compact(expected.get(i)) + ", but the sample made only " + rows.size() + " row(s)");
                } else if (i >= expected.size()) {
                    diff.add("row " + (i + 1) + " (" + label(rows.get(i)) + "): not expected " + actual(mapping, rows.get(i)));
                } else {
                    compareRow(mapping, i, expected.get(i), rows.get(i), diff);
                }
            }
        }
        if (test.has("rowCount") && test.get("rowCount").asInt() != rows.size()) {
            diff.add("rowCount: expected " + test.get("rowCount").asInt() + ", got " + rows.size());
        }
        for (JsonNode c : test.path("conditions")) {
            checkCondition(c.asText(), mapping, rows, trusted, diff);
        }
        compareRejections(test.path("rejected"), r.errors(), diff);
        if (test.has("neverFound")) {
            List<String> expected = new ArrayList<>();
            test.get("neverFound").forEach(f -> expected.add(f.asText()));
            List<String> got = r.neverFound().stream().map(s -> s.substring(s.indexOf('\'') + 1, s.indexOf('\'', s.indexOf('\'') + 1))).toList();
            if (!expected.equals(got)) {
                diff.add("fields never found: expected " + expected + ", got " + got);
            }
        }
        return diff;
    }

    private static Sample sample(Path file, Mapping mapping, JsonNode test) throws IOException {
        if (test.hasNonNull("inputFile")) {
            Path input = file.toAbsolutePath().getParent().resolve(test.get("inputFile").asText());
            return Sample.read(input, mapping, StandardCharsets.UTF_8, ',');
        }
        if (!test.hasNonNull("input")) {
            throw new IllegalArgumentException("needs input (inline) or inputFile");
        }
        JsonNode input = test.get("input");
        String format = test.path("format").asText("json");
        if (format.equals("json")) {
            JsonNode page = input.isTextual() ? JSON.readTree(input.asText()) : input; // inline YAML is fine too
            return Sample.page(file + " (inline)", page, mapping);
        }
        // csv / jsonl go through the same file readers as ferry-sftp
        Path tmp = Files.createTempFile("ferry-test-", "." + format);
        try {
            Files.writeString(tmp, input.asText(), StandardCharsets.UTF_8);
            Sample s = Sample.read(tmp, mapping, StandardCharsets.UTF_8, ',');
            return new Sample(file + " (inline " + format + ")", s.selection(), s.records(), s.problems());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void compareRow(Mapping mapping, int i, JsonNode expected, Trial.Row row, List<String> diff) {
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String column = e.getKey();
            String got;
            if (column.equals("key")) {
                got = row.row().businessKey();
            } else if (column.equals("dedupe")) {
                got = row.decision().name();
            } else {
                int idx = mapping.columns().indexOf(column);
                if (idx < 0) {
                    diff.add("row " + (i + 1) + ": the mapping has no column '" + column + "' (columns: " + mapping.columns() + ")");
                    continue;
                }
                Object v = row.row().values()[idx];
                got = v == null ? null : TrialReport.text(v);
            }
            String want = e.getValue().isNull() ? null : e.getValue().asText();
            if (!same(want, got)) {
                diff.add("row " + (i + 1) + " (" + label(row) + "): " + column + ": expected " + show(want) + ", got " + show(got));
            }
        }
    }

    /** Numbers compare by value (YAML reads 12.50 as 12.5); everything else by text; null is NULL. */
    private static boolean same(String want, String got) {
        if (want == null || got == null) {
            return want == null && got == null || "NULL".equals(want) && got == null;
        }
        if (want.equals(got)) {
            return true;
        }
        try {
            return new BigDecimal(want).compareTo(new BigDecimal(got)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void checkCondition(String condition, Mapping mapping, List<Trial.Row> rows, boolean trusted, List<String> diff) {
        Class<? extends Script> type;
        try {
            type = GroovySandbox.compile(condition, "ferry_test_condition", "condition '" + condition + "'", trusted);
        } catch (MappingException e) {
            diff.add(e.getMessage());
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            Trial.Row row = rows.get(i);
            Binding b = new Binding();
            b.setVariable("key", row.row().businessKey());
            for (int c = 0; c < mapping.columns().size(); c++) {
                b.setVariable(mapping.columns().get(c), row.row().values()[c]);
            }
            try {
                if (!DefaultTypeTransformation.castToBoolean(InvokerHelper.createScript(type, b).run())) {
                    diff.add("condition '" + condition + "' is false for row " + (i + 1) + " (" + label(row) + "): " + actual(mapping, row));
                }
            } catch (RuntimeException e) {
                diff.add("condition '" + condition + "' failed for row " + (i + 1) + " (" + label(row) + "): " + e);
            }
        }
    }

    private static void compareRejections(JsonNode expected, List<Trial.Problem> got, List<String> diff) {
        List<Trial.Problem> left = new ArrayList<>(got);
        for (JsonNode e : expected) {
            String where = e.path("where").asText(null);
            String field = e.path("field").asText(null);
            String reason = e.path("reason").asText(null);
            Trial.Problem match = left.stream().filter(p -> (where == null || p.where().equals(where))
                    && (field == null || p.field().equals(field)) && (reason == null || p.reason().contains(reason))).findFirst().orElse(null);
            if (match == null) {
                diff.add("rejection expected but not made: " + compact(e));
            } else {
                left.remove(match);
            }
        }
        left.forEach(p -> diff.add("rejection not expected: " + p));
    }

    private static String label(Trial.Row row) {
        return row.where() + ", key " + row.row().businessKey();
    }

    private static String actual(Mapping mapping, Trial.Row row) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int c = 0; c < mapping.columns().size(); c++) {
            m.put(mapping.columns().get(c), TrialReport.text(row.row().values()[c]));
        }
        return m.toString();
    }

    private static String show(String v) {
        return v == null ? "NULL" : "'" + v + "'";
    }

    private static String compact(JsonNode n) {
        return n == null ? "null" : n.toString();
    }

    private static List<String> unknownKeys(JsonNode node, Set<String> known) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isObject()) {
            node.fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) {
                    out.add(k);
                }
            });
        }
        return out;
    }

    /** {@code lookups: {table: {key: value}}}: answers every lookup of the table by key (as text), whatever the columns. */
    private static LookupSource fixtures(JsonNode lookups) {
        Map<String, Map<String, Object>> tables = new LinkedHashMap<>();
        lookups.fields().forEachRemaining(t -> {
            Map<String, Object> values = new LinkedHashMap<>();
            t.getValue().fields().forEachRemaining(v -> values.put(v.getKey(), v.getValue().isNull() ? null : v.getValue().asText()));
            tables.put(t.getKey(), values);
        });
        return (table, keyColumn, valueColumn, key) -> {
            Map<String, Object> t = tables.get(table);
            if (t == null) {
                throw new IllegalArgumentException("the test file gives no lookups for table " + table
                        + " (add lookups: { " + table + ": { key: value } })");
            }
            return t.get(key instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : key.toString());
        };
    }

    /** A mapping file, or the mapping of that integration in the mappings folder. */
    public static Mapping find(String nameOrFile, Path mappingsDir, boolean trustedGroovy) {
        Path file = Path.of(nameOrFile);
        if (Files.isRegularFile(file) && !nameOrFile.endsWith(SUFFIX)) {
            return MappingLoader.load(file, trustedGroovy);
        }
        for (String ext : new String[]{".yaml", ".yml"}) {
            Path candidate = mappingsDir.resolve(nameOrFile + ext);
            if (Files.isRegularFile(candidate)) {
                Mapping m = MappingLoader.load(candidate, trustedGroovy);
                if (m.integration().equals(nameOrFile)) {
                    return m;
                }
            }
        }
        Mapping m = MappingLoader.loadAll(mappingsDir, trustedGroovy).get(nameOrFile);
        if (m == null) {
            throw new MappingException(mappingsDir + ": no mapping defines integration '" + nameOrFile + "'");
        }
        return m;
    }
}
