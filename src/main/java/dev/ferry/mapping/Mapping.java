package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One loaded mapping file: how to pick records out of a source page and turn each into rows for the target
 * table. Immutable and thread-safe; {@link #newMapper} gives each thread its own {@link RecordMapper}.
 */
public final class Mapping {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration JSONPATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(JSON))
            .mappingProvider(new JacksonMappingProvider(JSON))
            .build();

    /** {@code $.a.b[*]} as written or in JsonPath's normalised form {@code $['a']['b'][*]}. */
    private static final Pattern SIMPLE_WILDCARD = Pattern.compile("\\$((\\.[A-Za-z_][A-Za-z0-9_]*)|(\\['[A-Za-z_][A-Za-z0-9_]*'\\]))+\\[\\*]");

    private final String integration;
    private final Path file;
    private final JsonPath records;        // null: the page is the record, or its elements are
    private final JsonPath recordsArray;   // for "$.a.b[*]": "$.a.b", the array the records live in; else null
    private final String[] recordsNames;   // for "$.a.b[*]": {"a", "b"}, walked without JsonPath; else null
    private final Flatten flatten;         // null: one row per record
    private final KeyTemplate key;
    private final List<CompiledField> compiled;
    private final List<FieldSpec> fields;
    private final List<String> columns;
    private final TargetSpec target;
    private final ReconcileSpec reconcile;
    private final String version;          // the version field, or null
    private final DeleteRule delete;       // null: every row upserts

    /** A compiled {@link DeleteSpec}: either a path and the text it must hold, or an expression. */
    record DeleteRule(DeleteSpec spec, FieldPath path, String equals, Class<? extends groovy.lang.Script> script) {
    }

    /** {@code path} is the array to flatten, {@code alias} the name its element goes by (its last segment). */
    record Flatten(FieldPath path, String alias, boolean keepEmpty) {
    }

    Mapping(String integration, Path file, JsonPath records, Flatten flatten, KeyTemplate key,
            List<CompiledField> compiled, TargetSpec target, ReconcileSpec reconcile, String version, DeleteRule delete) {
        this.version = version;
        this.delete = delete;
        this.integration = integration;
        this.file = file;
        this.records = records;
        String p = records == null ? null : records.getPath();
        this.recordsArray = p != null && p.endsWith("[*]") && p.length() > 4 ? JsonPath.compile(p.substring(0, p.length() - 3)) : null;
        this.recordsNames = simpleNames(p);
        this.flatten = flatten;
        this.key = key;
        this.compiled = List.copyOf(compiled);
        this.fields = compiled.stream().map(f -> f.spec).toList();
        this.columns = fields.stream().map(FieldSpec::name).toList();
        this.target = target;
        this.reconcile = reconcile;
    }

    public String integration() {
        return integration;
    }

    /** The file this mapping was loaded from. */
    public Path file() {
        return file;
    }

    /**
     * The records in one source page, by {@code source.records}. Without it, an array page yields its elements
     * and any other page is one record. A path that matches nothing yields no records.
     */
    public List<JsonNode> selectRecords(JsonNode page) {
        if (page == null || page.isNull() || page.isMissingNode()) {
            return List.of();
        }
        if (records == null) {
            return page.isArray() ? elements(page) : List.of(page);
        }
        JsonNode array = simpleArray(page);
        if (array != null) {
            return elements(array);
        }
        Object found;
        try {
            found = records.read(page, JSONPATH);
        } catch (PathNotFoundException e) {
            return List.of();
        }
        if (found == null) {
            return List.of();
        }
        JsonNode n = found instanceof JsonNode j ? j : JSON.valueToTree(found);
        // an indefinite path ($.data[*]) returns an array of its matches; a definite one naming an array means its elements
        return n.isArray() ? elements(n) : n.isNull() ? List.of() : List.of(n);
    }

    /**
     * Like {@link #selectRecords}, but tells "the selector matched nothing" (null: a typo in {@code records},
     * or an answer that is not data at all) apart from "the records array is there and empty" (an empty list).
     * A source then fails the first and accepts the second.
     */
    public List<JsonNode> findRecords(JsonNode page) {
        if (page == null || page.isNull() || page.isMissingNode()) {
            return null;
        }
        if (records == null) {
            return page.isArray() ? elements(page) : List.of(page);
        }
        JsonNode simple = simpleArray(page);
        if (simple != null) {
            return elements(simple);
        }
        if (recordsArray != null) {
            JsonNode array = readNode(recordsArray, page);
            return array != null && array.isArray() ? selectRecords(page) : null;
        }
        JsonNode found = readNode(records, page);
        if (found == null || found.isNull() || found.isArray() && found.isEmpty()) {
            return null;
        }
        return selectRecords(page);
    }

    /** For a records path {@code $.a.b[*]}: {"a", "b"}; null for any other path. */
    private static String[] simpleNames(String path) {
        if (path == null || !SIMPLE_WILDCARD.matcher(path).matches()) {
            return null;
        }
        return path.substring(1, path.length() - 3).replace("['", ".").replace("']", "").substring(1).split("\\.");
    }

    /**
     * For {@code $.a.b[*]}, the page's array at a.b when it is one, else null (JsonPath then decides: a missing
     * name, an object whose values [*] also selects). JsonPath's Jackson provider copies every record it selects
     * through a token buffer; this walk hands out the parsed nodes themselves (issue 13: a tenth of the bytes a
     * record allocated).
     */
    private JsonNode simpleArray(JsonNode page) {
        if (recordsNames == null) {
            return null;
        }
        JsonNode n = page;
        for (String name : recordsNames) {
            n = n.isObject() ? n.get(name) : null;
            if (n == null) {
                return null;
            }
        }
        return n.isArray() ? n : null;
    }

    private static JsonNode readNode(JsonPath path, JsonNode page) {
        try {
            Object found = path.read(page, JSONPATH);
            return found == null ? null : found instanceof JsonNode j ? j : JSON.valueToTree(found);
        } catch (PathNotFoundException e) {
            return null;
        }
    }

    private static List<JsonNode> elements(JsonNode array) {
        List<JsonNode> out = new ArrayList<>(array.size());
        for (JsonNode e : array) {
            if (!e.isNull()) {
                out.add(e);
            }
        }
        return out;
    }

    /** {@code source.records} as written, or null when the page is the record (or its elements are). */
    public String recordsPath() {
        return records == null ? null : records.getPath();
    }

    /** Fields in declaration order. */
    public List<FieldSpec> fields() {
        return fields;
    }

    /** Target column names in declaration order; {@link MappedRow#values()} follow this order. */
    public List<String> columns() {
        return columns;
    }

    public TargetSpec target() {
        return target;
    }

    /** Never null; empty lists when the file has no {@code reconcile:} section. */
    public ReconcileSpec reconcile() {
        return reconcile;
    }

    /** The field whose value orders versions of a row (newest wins), or null: the later promotion wins. */
    public String version() {
        return version;
    }

    /** When and how a record deletes its target row, or null when rows only upsert. */
    public DeleteSpec delete() {
        return delete == null ? null : delete.spec();
    }

    DeleteRule deleteRule() {
        return delete;
    }

    /** The business key template as written. */
    public String keyTemplate() {
        return key.toString();
    }

    /**
     * A mapper for one thread.
     *
     * @param lookups source for {@code lookup:} fields; may be null only when no field uses lookup
     * @throws IllegalStateException when a field needs lookups and none were given
     */
    public RecordMapper newMapper(LookupSource lookups) {
        if (lookups == null) {
            String needing = fields.stream().filter(f -> f.lookup() != null).map(FieldSpec::name).findFirst().orElse(null);
            if (needing != null) {
                throw new IllegalStateException(file + ": field '" + needing + "' uses lookup, but no LookupSource was given");
            }
        }
        return new RecordMapper(this, lookups);
    }

    Flatten flatten() {
        return flatten;
    }

    KeyTemplate key() {
        return key;
    }

    List<CompiledField> compiled() {
        return compiled;
    }

    @Override
    public String toString() {
        return "Mapping[" + integration + " from " + file + " to " + target.table() + " " + columns + "]";
    }
}
