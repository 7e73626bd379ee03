package dev.ferry.mapping;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import groovy.lang.GroovyShell;
import groovy.lang.Script;
import org.codehaus.groovy.control.CompilationFailedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import dev.ferry.config.Durations;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads mapping files (one per integration) into {@link Mapping}s. Everything that can be checked without data
 * is checked here, so a typo fails at start-up rather than on the first record: unknown keys, bad types, paths,
 * zones and date patterns, defaults that do not fit their type, and expressions that do not compile.
 */
public final class MappingLoader {

    // duplicate keys would otherwise silently keep the last one, hiding a copy-paste mistake
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_]+");

    private static final Set<String> TOP_KEYS = Set.of("integration", "source", "key", "fields", "target", "reconcile", "timezone",
            "version", "delete");
    private static final Set<String> DELETE_KEYS = Set.of("when", "mode", "column", "value");
    private static final Pattern FIELD_EQUALS = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.\\[\\]]*)\\s*=\\s*([^=].*?)\\s*");
    private static final Set<String> SOURCE_KEYS = Set.of("records", "flatten");
    private static final Set<String> FLATTEN_KEYS = Set.of("path", "keepEmpty");
    private static final Set<String> FIELD_KEYS = Set.of("from", "type", "format", "zone", "required", "default", "map",
            "mapStrict", "expr", "lookup");
    private static final Set<String> LOOKUP_KEYS = Set.of("table", "key", "value", "onMissing");
    private static final Set<String> TARGET_KEYS = Set.of("table", "mode", "matchOn", "update", "allowOtherUniqueKeys", "partitionBy");
    private static final Set<String> RECONCILE_KEYS = Set.of("compare", "sum", "minAge");
    private static final Set<String> RESERVED = Set.of("record", "key", "row");

    private MappingLoader() {
    }

    /** Loads a mapping whose expressions run in the Groovy sandbox. */
    public static Mapping load(Path file) {
        return load(file, false);
    }

    /**
     * @param trustedGroovy {@code ferry.groovy.trusted}: compile expressions without the sandbox ({@link GroovySandbox})
     * @throws MappingException naming the file (and field) for anything wrong with it
     */
    public static Mapping load(Path file, boolean trustedGroovy) {
        return new Parser(file, trustedGroovy).parse();
    }

    /**
     * Loads every {@code *.yaml} and {@code *.yml} file in {@code dir} (not recursive), by integration name.
     *
     * @throws MappingException for the first bad file, or naming both files when two define the same integration
     */
    public static Map<String, Mapping> loadAll(Path dir) {
        return loadAll(dir, false);
    }

    /** As {@link #loadAll(Path)}; {@code trustedGroovy} as in {@link #load(Path, boolean)}. */
    public static Map<String, Mapping> loadAll(Path dir, boolean trustedGroovy) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().contains(".reconcile.")) // reconciliation files beside the mappings
                    .filter(p -> !p.getFileName().toString().endsWith(".test.yaml")) // ferry test's files beside the mappings
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new MappingException(dir + ": cannot list mapping files: " + e.getMessage(), e);
        }
        Map<String, Mapping> byName = new TreeMap<>();
        for (Path file : files) {
            Mapping m = load(file, trustedGroovy);
            Mapping clash = byName.putIfAbsent(m.integration(), m);
            if (clash != null) {
                throw new MappingException(clash.file() + " and " + file + " both define integration '" + m.integration() + "'");
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    /** One file's parse; every failure goes through {@link #fail} so messages start with the file. */
    private static final class Parser {

        private final Path file;
        private final boolean trustedGroovy;
        private final GroovySandbox.Checker sandbox = new GroovySandbox.Checker();
        private GroovyShell shell; // created on the first expression: most fields have none

        Parser(Path file, boolean trustedGroovy) {
            this.file = file;
            this.trustedGroovy = trustedGroovy;
        }

        Mapping parse() {
            JsonNode root;
            try {
                root = YAML.readTree(file.toFile());
            } catch (IOException e) {
                throw new MappingException(file + ": cannot read: " + e.getMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw fail("must be a YAML mapping with integration, fields and target");
            }
            checkKeys(root, TOP_KEYS, "");
            String integration = text(root, "integration", "");
            if (integration == null || integration.isBlank()) {
                throw fail("integration is required");
            }
            ZoneId timezone = zone(text(root, "timezone", ""), "timezone");

            JsonNode source = object(root, "source", "");
            JsonPath records = source == null ? null : records(text(source, "records", "source."));
            Mapping.Flatten flatten = source == null ? null : flatten(source.get("flatten"));
            String alias = flatten == null ? null : flatten.alias();

            JsonNode fieldsNode = object(root, "fields", "");
            if (fieldsNode == null || fieldsNode.isEmpty()) {
                throw fail("fields is required (one entry per target column)");
            }
            List<CompiledField> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = fieldsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.add(field(e.getKey(), e.getValue(), alias, timezone));
            }
            List<String> names = fields.stream().map(f -> f.spec.name()).toList();

            TargetSpec target = target(root, names);
            String keyText = text(root, "key", "");
            if (keyText == null) { // no natural key given: the columns that identify a target row are the key
                keyText = "{" + String.join("}-{", target.matchOn()) + "}";
            }
            KeyTemplate key;
            try {
                key = KeyTemplate.parse(keyText, names, alias);
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage());
            }
            ReconcileSpec reconcile = reconcile(object(root, "reconcile", ""), names);
            String version = version(text(root, "version", ""), fields, target);
            Mapping.DeleteRule delete = delete(object(root, "delete", ""), target, alias);
            return new Mapping(integration, file, records, flatten, key, fields, target, reconcile, version, delete);
        }

        private String version(String field, List<CompiledField> fields, TargetSpec target) {
            if (field == null) {
                return null;
            }
            CompiledField f = fields.stream().filter(c -> c.spec.name().equals(field)).findFirst()
                    .orElseThrow(() -> fail("version: '" + field + "' is not a field (fields: "
                            + fields.stream().map(c -> c.spec.name()).toList() + ")"));
            if (!RowVersion.supports(f.type)) {
                throw fail("version: field '" + field + "' is " + f.spec.type() + "; a version is an int, long, date, datetime or string");
            }
            if (target.matchOn().contains(field)) {
                throw fail("version: '" + field + "' is in target.matchOn; a version changes, the row's identity does not");
            }
            if (target.mode() != WriteMode.INSERT && !target.updateColumns().contains(field)) {
                // the target's version column is what later rows are compared with: it must move with the row
                throw fail("version: '" + field + "' must be in target.update " + target.updateColumns());
            }
            return field;
        }

        private Mapping.DeleteRule delete(JsonNode n, TargetSpec target, String alias) {
            if (n == null) {
                return null;
            }
            checkKeys(n, DELETE_KEYS, "delete.");
            String when = text(n, "when", "delete.");
            if (when == null || when.isBlank()) {
                throw fail("delete.when is required: a Groovy expression, or path=value");
            }
            String modeText = text(n, "mode", "delete.");
            boolean soft = "soft".equals(modeText);
            if (modeText != null && !soft && !"hard".equals(modeText)) {
                throw fail("delete.mode '" + modeText + "' (allowed: hard, soft)");
            }
            String column = text(n, "column", "delete.");
            String value = text(n, "value", "delete.");
            if (soft && (column == null || value == null)) {
                throw fail("delete: mode soft needs column and value (the flag set on a deleted row)");
            }
            if (!soft && (column != null || value != null)) {
                throw fail("delete: column and value apply to mode soft only");
            }
            if (soft) {
                identifier(column, "delete.column");
            }
            if (target.mode() == WriteMode.INSERT) {
                throw fail("delete does not apply to mode insert (it never changes a row)");
            }
            DeleteSpec spec = new DeleteSpec(when, soft, column, value);
            Matcher m = FIELD_EQUALS.matcher(when);
            if (m.matches()) {
                try {
                    return new Mapping.DeleteRule(spec, FieldPath.parse(m.group(1), alias), unquote(m.group(2)), null);
                } catch (IllegalArgumentException e) {
                    throw fail("delete.when: " + e.getMessage());
                }
            }
            return new Mapping.DeleteRule(spec, null, null, compile("delete_when", when, "delete.when"));
        }

        private static String unquote(String v) {
            return v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))
                    ? v.substring(1, v.length() - 1) : v;
        }

        private JsonPath records(String path) {
            if (path == null) {
                return null;
            }
            try {
                return JsonPath.compile(path);
            } catch (InvalidPathException | IllegalArgumentException e) {
                throw fail("source.records '" + path + "' is not a valid JSONPath: " + e.getMessage());
            }
        }

        private Mapping.Flatten flatten(JsonNode n) {
            if (n == null || n.isNull()) {
                return null;
            }
            String path;
            boolean keepEmpty = false;
            if (n.isObject()) {
                checkKeys(n, FLATTEN_KEYS, "source.flatten.");
                path = text(n, "path", "source.flatten.");
                keepEmpty = bool(n, "keepEmpty", "source.flatten.");
            } else {
                path = scalar(n, "source.flatten");
            }
            if (path == null || path.isBlank()) {
                throw fail("source.flatten.path is required");
            }
            // the element goes by the path's last name: flatten "detail.items" → fields read "items.qty"
            String alias = path.substring(path.lastIndexOf('.') + 1);
            if (!COLUMN.matcher(alias).matches() || RESERVED.contains(alias)) {
                throw fail("source.flatten '" + path + "' must end in a name (not record, key or row)");
            }
            try {
                return new Mapping.Flatten(FieldPath.parse(path, null), alias, keepEmpty);
            } catch (IllegalArgumentException e) {
                throw fail("source.flatten: " + e.getMessage());
            }
        }

        private CompiledField field(String name, JsonNode n, String alias, ZoneId timezone) {
            if (!COLUMN.matcher(name).matches()) {
                throw fail("field '" + name + "': not a valid column name ([A-Za-z_][A-Za-z0-9_]*)");
            }
            if (n == null || n.isNull()) { // "as_id:" alone maps the same-named source field as a string
                n = YAML.createObjectNode();
            }
            if (!n.isObject()) {
                throw failField(name, "must be a mapping such as { from: x, type: int }");
            }
            String where = "field '" + name + "': ";
            checkKeys(n, FIELD_KEYS, where);
            String from = text(n, "from", where);
            String expr = text(n, "expr", where);
            if (from != null && expr != null) {
                throw failField(name, "from and expr exclude each other");
            }
            FieldSpec.Lookup lookup = lookup(name, n.get("lookup"));
            if (from == null && expr == null) { // a lookup reads its key column's namesake; anything else its own name
                from = lookup != null ? lookup.keyColumn() : name;
            }
            String type = text(n, "type", where);
            type = type == null ? "string" : type.trim();
            String format = text(n, "format", where);
            String zoneText = text(n, "zone", where);
            ValueType valueType;
            try {
                valueType = ValueType.of(type, format, zone(zoneText, where + "zone"), timezone);
            } catch (IllegalArgumentException e) {
                throw failField(name, e.getMessage());
            }
            Map<String, String> map = valueMap(name, n.get("map"));
            boolean mapStrict = bool(n, "mapStrict", where);
            if (mapStrict && map.isEmpty()) {
                throw failField(name, "mapStrict needs a map");
            }
            JsonNode defNode = n.get("default");
            String def = defNode == null || defNode.isNull() ? null : scalar(defNode, where + "default");
            FieldSpec spec = new FieldSpec(name, expr == null ? from : null, type, expr, format, zoneText,
                    bool(n, "required", where), def, map, mapStrict, lookup);

            FieldPath path;
            try {
                path = expr == null ? FieldPath.parse(from, alias) : null;
            } catch (IllegalArgumentException e) {
                throw failField(name, e.getMessage());
            }
            Object defValue;
            try {
                defValue = def == null ? null : valueType.convert(def);
            } catch (ValueType.BadValue e) {
                throw failField(name, "default " + e.getMessage());
            }
            return new CompiledField(spec, path, expr == null ? null : compile(name, expr), valueType, defValue);
        }

        private Class<? extends Script> compile(String field, String expr) {
            return compile(field, expr, null);
        }

        /** @param where what to name in an error instead of the field (e.g. "delete.when") */
        private Class<? extends Script> compile(String field, String expr, String where) {
            if (shell == null) {
                shell = trustedGroovy ? new GroovyShell(MappingLoader.class.getClassLoader())
                        : new GroovyShell(MappingLoader.class.getClassLoader(), GroovySandbox.configuration(sandbox));
            }
            try {
                return shell.parse(expr, "ferry_" + field).getClass();
            } catch (CompilationFailedException e) {
                String refusal = sandbox.takeRefusal();
                if (refusal != null && where != null) {
                    throw fail(where + ": expression is refused by the Groovy sandbox: " + refusal
                            + "; set ferry.groovy.trusted=true to allow any Groovy");
                }
                if (refusal != null) {
                    throw failField(field, "expression is refused by the Groovy sandbox: " + refusal
                            + "; set ferry.groovy.trusted=true to allow any Groovy");
                }
                String msg = e.getMessage().replace("startup failed:", "").strip().replaceAll("\\s+", " ");
                throw where == null ? failField(field, "expression does not compile: " + msg)
                        : fail(where + ": expression does not compile: " + msg);
            }
        }

        private FieldSpec.Lookup lookup(String field, JsonNode n) {
            if (n == null || n.isNull()) {
                return null;
            }
            String where = "field '" + field + "': lookup.";
            if (!n.isObject()) {
                throw failField(field, "lookup must be { table, key, value }");
            }
            checkKeys(n, LOOKUP_KEYS, where);
            String table = identifier(text(n, "table", where), where + "table");
            String key = identifier(text(n, "key", where), where + "key");
            String value = identifier(text(n, "value", where), where + "value");
            String onMissing = n.hasNonNull("onMissing") ? n.get("onMissing").asText() : "null";
            if (!onMissing.equals("null") && !onMissing.equals("retry")) {
                throw failField(field, "lookup.onMissing must be null (the field stays empty) or retry (the record comes back later)");
            }
            return new FieldSpec.Lookup(table, key, value, onMissing.equals("retry"));
        }

        private Map<String, String> valueMap(String field, JsonNode n) {
            if (n == null || n.isNull()) {
                return Map.of();
            }
            if (!n.isObject()) {
                throw failField(field, "map must be a mapping { sourceValue: targetValue }");
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                map.put(e.getKey(), v == null || v.isNull() ? null : scalar(v, "field '" + field + "': map." + e.getKey()));
            }
            return map;
        }

        private TargetSpec target(JsonNode root, List<String> names) {
            JsonNode t = object(root, "target", "");
            if (t == null) {
                throw fail("target is required");
            }
            checkKeys(t, TARGET_KEYS, "target.");
            String table = identifier(text(t, "table", "target."), "target.table");
            String modeText = text(t, "mode", "target.");
            WriteMode mode;
            try {
                mode = modeText == null ? WriteMode.UPSERT : WriteMode.parse(modeText);
            } catch (IllegalArgumentException e) {
                throw fail("target.mode: " + e.getMessage());
            }
            List<String> given = columns(t, "matchOn", "target.", names);
            List<String> matchOn = given.isEmpty() ? List.of(names.get(0)) : given;
            List<String> update = columns(t, "update", "target.", names);
            List<String> partitionBy = columns(t, "partitionBy", "target.", names);
            if (!partitionBy.isEmpty() && mode != WriteMode.REPLACE) {
                throw fail("target.partitionBy applies to mode replace only");
            }
            if (partitionBy.isEmpty() && mode == WriteMode.REPLACE) {
                throw fail("target: mode replace needs partitionBy (the columns naming a partition, e.g. [bill_date])");
            }
            List<String> allowOtherUniqueKeys = indexNames(t.get("allowOtherUniqueKeys"));
            if (mode == WriteMode.INSERT) {
                if (!update.isEmpty()) {
                    throw fail("target.update does not apply to mode insert");
                }
                return new TargetSpec(table, mode, matchOn, List.of(), allowOtherUniqueKeys);
            }
            if (update.isEmpty()) {
                update = names.stream().filter(c -> !matchOn.contains(c)).toList();
            }
            for (String c : update) {
                if (matchOn.contains(c)) {
                    throw fail("target.update: '" + c + "' is in matchOn, it identifies the row");
                }
            }
            if (update.isEmpty() && mode == WriteMode.UPDATE_ONLY) {
                throw fail("target: every field is in matchOn, mode update-only would update nothing");
            }
            return new TargetSpec(table, mode, matchOn, update, allowOtherUniqueKeys, partitionBy);
        }

        /** target.allowOtherUniqueKeys: index names (checked against the table when Ferry starts). */
        private List<String> indexNames(JsonNode n) {
            List<String> out = new ArrayList<>();
            if (n != null && !n.isNull()) {
                for (JsonNode e : n.isArray() ? n : YAML.createArrayNode().add(n)) {
                    out.add(identifier(scalar(e, "target.allowOtherUniqueKeys"), "target.allowOtherUniqueKeys"));
                }
            }
            return out;
        }

        private ReconcileSpec reconcile(JsonNode n, List<String> names) {
            if (n == null) {
                return ReconcileSpec.NONE;
            }
            checkKeys(n, RECONCILE_KEYS, "reconcile.");
            List<String> compare = columns(n, "compare", "reconcile.", names);
            List<String> sum = columns(n, "sum", "reconcile.", names);
            String minAge = text(n, "minAge", "reconcile.");
            return new ReconcileSpec(compare, sum, minAge == null ? Duration.ZERO : duration(minAge, "reconcile.minAge"));
        }

        private Duration duration(String text, String where) {
            try {
                return Durations.parse(where, text);
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage());
            }
        }

        /** A list of field names; a single name may be written without brackets. */
        private List<String> columns(JsonNode parent, String key, String where, List<String> names) {
            JsonNode n = parent.get(key);
            if (n == null || n.isNull()) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (n.isArray()) {
                for (JsonNode e : n) {
                    out.add(scalar(e, where + key));
                }
            } else {
                out.add(scalar(n, where + key));
            }
            for (String c : out) {
                if (!names.contains(c)) {
                    throw fail(where + key + ": '" + c + "' is not a field (fields: " + names + ")");
                }
            }
            return List.copyOf(new LinkedHashSet<>(out));
        }

        private ZoneId zone(String text, String where) {
            if (text == null) {
                return null;
            }
            try {
                return ZoneId.of(text);
            } catch (DateTimeException e) {
                throw fail(where + " '" + text + "' is not a time zone (e.g. Asia/Shanghai, UTC, +08:00)");
            }
        }

        private String identifier(String text, String where) {
            if (text == null) {
                throw fail(where + " is required");
            }
            if (!IDENTIFIER.matcher(text).matches()) {
                throw fail(where + " '" + text + "' must match [A-Za-z0-9_]+");
            }
            return text;
        }

        private void checkKeys(JsonNode n, Set<String> allowed, String where) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) {
                    throw fail(where + "unknown key '" + k + "' (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
                }
            }
        }

        private JsonNode object(JsonNode parent, String key, String where) {
            JsonNode n = parent.get(key);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isObject()) {
                throw fail(where + key + " must be a mapping");
            }
            return n;
        }

        private String text(JsonNode parent, String key, String where) {
            JsonNode n = parent.get(key);
            return n == null || n.isNull() ? null : scalar(n, where + key);
        }

        private String scalar(JsonNode n, String where) {
            if (!n.isValueNode()) {
                throw fail(where + " must be a single value");
            }
            return n.asText();
        }

        private boolean bool(JsonNode parent, String key, String where) {
            JsonNode n = parent.get(key);
            if (n == null || n.isNull()) {
                return false;
            }
            if (!n.isBoolean()) {
                throw fail(where + key + " must be true or false");
            }
            return n.booleanValue();
        }

        private MappingException failField(String field, String message) {
            return fail("field '" + field + "': " + message);
        }

        private MappingException fail(String message) {
            return new MappingException(file + ": " + message);
        }
    }
}
