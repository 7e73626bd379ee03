package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import groovy.lang.Script;
import org.codehaus.groovy.runtime.InvokerHelper;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Turns one source record into rows for the target table.
 *
 * <p>Not thread-safe: it reuses one Groovy script instance per expression, one binding and one digest across
 * records. Create one per thread with {@link Mapping#newMapper}; creating one is cheap (expressions are compiled
 * once, when the mapping is loaded).
 */
public final class RecordMapper {

    private static final HexFormat HEX = HexFormat.of();

    private static final byte TODO = 0;
    private static final byte BUSY = 1;
    private static final byte DONE = 2;

    private final Mapping mapping;
    private final LookupSource lookups;
    private final CompiledField[] fields;
    private final Script[] scripts;        // per field, null for fields without expr
    private final Mapping.DeleteRule delete; // null: every row upserts
    private final Script deleteScript;     // delete.when as an expression, or null
    private final int versionField;        // index of the version field, or -1
    private final boolean anyScript;
    private final RowBinding binding;
    private final int[] keyFields;         // fields the key template reads
    private final MessageDigest md5;
    private final CanonicalBytes canonical = new CanonicalBytes();
    private final byte[] digest = new byte[16];
    // per field: records whose `from` path was looked up, and those where it was present (a typo is never present)
    private final int[] pathLookups;
    private final int[] pathFound;

    // the row being mapped: fields are mapped in declaration order, or earlier when the key needs them
    private JsonNode record;
    private JsonNode element;
    private Object[] values;
    private final byte[] state;
    private String key;

    RecordMapper(Mapping mapping, LookupSource lookups) {
        this.mapping = mapping;
        this.lookups = lookups;
        this.fields = mapping.compiled().toArray(CompiledField[]::new);
        this.keyFields = mapping.key().fieldIndexes();
        this.state = new byte[fields.length];
        this.pathLookups = new int[fields.length];
        this.pathFound = new int[fields.length];
        Mapping.Flatten flatten = mapping.flatten();
        this.binding = new RowBinding(flatten == null ? null : flatten.alias(), this::key);
        this.scripts = new Script[fields.length];
        boolean any = false;
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].script != null) {
                scripts[i] = InvokerHelper.createScript(fields[i].script, binding);
                any = true;
            }
        }
        this.delete = mapping.deleteRule();
        this.deleteScript = delete != null && delete.script() != null ? InvokerHelper.createScript(delete.script(), binding) : null;
        this.anyScript = any || deleteScript != null;
        this.versionField = mapping.version() == null ? -1 : mapping.columns().indexOf(mapping.version());
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }

    /**
     * Maps one record: one row, or one per element of the flatten array.
     *
     * @throws RecordRejectedException when any row of the record cannot be mapped (the record is the unit of
     *                                 rejection, so a bad item rejects its whole order)
     */
    public List<MappedRow> map(JsonNode record) throws RecordRejectedException {
        Objects.requireNonNull(record, "record");
        Mapping.Flatten flatten = mapping.flatten();
        if (flatten == null) {
            return List.of(row(record, null));
        }
        JsonNode array = flatten.path().resolve(record, null);
        if (array == null || array.isNull() || array.isArray() && array.isEmpty()) {
            if (flatten.keepEmpty()) {
                return List.of(row(record, null));
            }
            throw RecordRejectedException.forFlatten(flatten.path().toString(),
                    "'" + flatten.path() + "' is missing or empty");
        }
        if (!array.isArray()) {
            throw RecordRejectedException.forFlatten(flatten.path().toString(),
                    "'" + flatten.path() + "' is not an array but " + array.getNodeType().name().toLowerCase());
        }
        List<MappedRow> rows = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            rows.add(row(record, element));
        }
        return rows;
    }

    private MappedRow row(JsonNode record, JsonNode element) throws RecordRejectedException {
        this.record = record;
        this.element = element;
        this.values = new Object[fields.length];
        this.key = null;
        Arrays.fill(state, TODO);
        if (anyScript) {
            binding.reset(record, element);
        }
        for (int i = 0; i < fields.length; i++) {
            map(i);
        }
        MappedRow.Op op = isDelete() ? MappedRow.Op.DELETE : MappedRow.Op.UPSERT;
        String version = null;
        if (versionField >= 0) {
            Object v = values[versionField];
            if (v == null) {
                throw RecordRejectedException.forField(fields[versionField].spec.name(),
                        "is the row's version but missing: without it the row could replace a newer one");
            }
            version = RowVersion.of(v);
        }
        return new MappedRow(key(), values, hash(values, op), op, version);
    }

    /** Whether the mapping's delete rule matches the row being mapped (evaluated after every field). */
    private boolean isDelete() throws RecordRejectedException {
        if (delete == null) {
            return false;
        }
        if (deleteScript == null) {
            Object raw = Values.fromJson(delete.path().resolve(record, element));
            return raw != null && Values.text(raw).equals(delete.equals());
        }
        try {
            return org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation.castToBoolean(deleteScript.run());
        } catch (RowBinding.KeyFailure e) {
            throw e.rejection;
        } catch (RuntimeException e) {
            String msg = e.getMessage();
            throw RecordRejectedException.forField("delete.when",
                    "expression failed: " + e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg));
        }
    }

    private void map(int i) throws RecordRejectedException {
        if (state[i] == DONE) {
            return;
        }
        CompiledField f = fields[i];
        if (state[i] == BUSY) { // only the key can lead back here: this field's expression uses key, which reads it
            throw RecordRejectedException.forField(f.spec.name(), "the key template reads this field, so its expression cannot use key");
        }
        state[i] = BUSY;
        Object raw;
        if (f.script != null) {
            raw = evaluate(i);
        } else {
            JsonNode node = f.from.resolve(record, element);
            pathLookups[i]++;
            if (node != null) {
                pathFound[i]++;
            }
            raw = Values.fromJson(node);
        }
        if (f.spec.lookup() != null && raw != null) {
            FieldSpec.Lookup l = f.spec.lookup();
            Object key = raw;
            raw = lookups.lookup(l.table(), l.keyColumn(), l.valueColumn(), raw);
            if (raw == null && l.retryWhenMissing()) {
                raw = lookups.lookupFresh(l.table(), l.keyColumn(), l.valueColumn(), key);
            }
            if (raw == null && l.retryWhenMissing()) {
                throw RecordRejectedException.forField(f.spec.name(), notYet(l, key));
            }
        }
        values[i] = f.finish(raw);
        state[i] = DONE;
        if (anyScript) {
            binding.computed(f.spec.name(), values[i]);
        }
    }

    /** The reason of a record whose look-up found nothing yet ({@code onMissing: retry}). */
    public static String notYet(FieldSpec.Lookup l, Object key) {
        return "not yet: " + l.table() + "." + l.keyColumn() + " holds no '" + key + "' (onMissing: retry)";
    }

    /**
     * Fields whose {@code from} path was absent from every record mapped since the last call (a typo in the mapping
     * fills a column with NULLs and looks like success), as "field 'x' (from 'path')"; then starts counting afresh.
     */
    public List<String> fieldsNeverFound() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < fields.length; i++) {
            if (pathLookups[i] > 0 && pathFound[i] == 0) {
                out.add("field '" + fields[i].spec.name() + "' (from '" + fields[i].from + "')");
            }
        }
        Arrays.fill(pathLookups, 0);
        Arrays.fill(pathFound, 0);
        return out;
    }

    /** The row's business key, built on first use (an expression may ask for it before all fields are mapped). */
    private String key() throws RecordRejectedException {
        if (key == null) {
            for (int i : keyFields) {
                map(i);
            }
            key = mapping.key().build(record, element, values);
        }
        return key;
    }

    private Object evaluate(int i) throws RecordRejectedException {
        try {
            return scripts[i].run();
        } catch (RowBinding.KeyFailure e) {
            throw e.rejection;
        } catch (RuntimeException e) {
            String msg = e.getMessage();
            throw RecordRejectedException.forField(fields[i].spec.name(),
                    "expression failed: " + e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg));
        }
    }

    /**
     * MD5 over "length:text;" per value (null as "~;"), so null differs from "" and no two value lists share a
     * canonical string. Texts are canonical (plain decimals, ISO dates), hence stable across JVMs. The bytes are
     * written once into a reused buffer ({@link CanonicalBytes}) and digested into a reused array.
     */
    private String hash(Object[] values, MappedRow.Op op) {
        canonical.reset();
        for (Object v : values) {
            canonical.value(v);
        }
        if (op == MappedRow.Op.DELETE) {
            canonical.marker("!delete"); // a delete differs from an upsert of the same values; a re-delivered one does not
        }
        md5.update(canonical.buffer(), 0, canonical.length());
        try {
            md5.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException("MD5 writes 16 bytes", e);
        }
        return HEX.formatHex(digest);
    }

    // --- Issue 13, the steady state: what the pipeline needs to skip mapping a record it has seen unchanged. ---

    private Object[] keyScratch;

    /**
     * The business key of a record, mapping only the fields the key template reads: the steady state looks a
     * record up by its key and skips mapping the rest when its record hash is unchanged. Only for mappings
     * without {@code flatten} (one key per record; see {@link #whyNotSkippable()}).
     *
     * @throws RecordRejectedException when a key field cannot be mapped (the full mapping then rejects the record)
     */
    public String keyOf(JsonNode record) throws RecordRejectedException {
        Objects.requireNonNull(record, "record");
        if (keyScratch == null) {
            keyScratch = new Object[fields.length];
        } else {
            Arrays.fill(keyScratch, null);
        }
        this.record = record;
        this.element = null;
        this.values = keyScratch;
        this.key = null;
        Arrays.fill(state, TODO);
        if (anyScript) {
            binding.reset(record, null);
        }
        return key();
    }

    /**
     * Null when a record's rows are a function of the record alone — then a record whose hash is unchanged maps to
     * the rows it mapped to before and need not be mapped again; otherwise why not: a lookup table can change under
     * an unchanged record, a flattened record has several keys, and the Groovy sandbox allows clocks and randomness
     * ({@code java.time}'s {@code now()}, {@code Math.random()}), so an expression's value may differ each time.
     */
    public String whyNotSkippable() {
        if (mapping.flatten() != null) {
            return "it flattens '" + mapping.flatten().path() + "' (a record maps to several keys)";
        }
        for (CompiledField f : fields) {
            if (f.spec.lookup() != null) {
                return "field '" + f.spec.name() + "' looks up " + f.spec.lookup().table() + " (the table can change under an unchanged record)";
            }
        }
        for (CompiledField f : fields) {
            if (f.script != null) {
                return "field '" + f.spec.name() + "' is a Groovy expression (the sandbox allows clocks and randomness, so its value "
                        + "may change under an unchanged record)";
            }
        }
        if (deleteScript != null) {
            return "delete.when is a Groovy expression (the sandbox allows clocks and randomness)";
        }
        return null;
    }
}
