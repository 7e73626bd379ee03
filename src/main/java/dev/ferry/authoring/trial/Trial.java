package dev.ferry.authoring.trial;

import dev.ferry.mapping.JdbcLookupSource;
import dev.ferry.mapping.LookupSource;
import dev.ferry.mapping.LookupUnavailableException;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingException;
import dev.ferry.mapping.RecordMapper;
import dev.ferry.mapping.RecordRejectedException;
import dev.ferry.pipeline.DedupePreview;
import dev.ferry.pipeline.TargetTable;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What the pipeline would make of a sample, without writing anything: selection (done by {@link Sample}),
 * flattening and mapping ({@link RecordMapper}, the pipeline's own), enrichment (lookups, when a database is given),
 * the target's column checks and the dedupe decision ({@link DedupePreview}: against the store when a database is
 * given, else within the sample).
 */
public final class Trial {

    /** A row that would be staged (or skipped, per its decision), from the sample's record {@code where}. */
    public record Row(String where, MappedRow row, DedupePreview.Decision decision) {
        /** Whether the pipeline would stage it (new or changed; unchanged rows and earlier duplicates are skipped). */
        public boolean staged() {
            return decision == DedupePreview.Decision.NEW || decision == DedupePreview.Decision.CHANGED;
        }
    }

    /** A record the pipeline would dead-letter: where, the field named (or "record"), why. */
    public record Problem(String where, String field, String reason) {
        @Override
        public String toString() {
            return where + ", field " + field + ": " + reason;
        }
    }

    /**
     * @param notes what the trial could not do as the pipeline would (lookups skipped, dedupe within the sample)
     */
    public record Result(Mapping mapping, Sample sample, List<Row> rows, List<Problem> errors, List<String> neverFound,
                         List<String> notes) {
    }

    private Trial() {
    }

    /** @param db a database to read lookups, the target's columns and the dedupe store from; null for none */
    public static Result run(Mapping mapping, Sample sample, DataSource db) {
        return run(mapping, sample, db, null);
    }

    /** As {@link #run(Mapping, Sample, DataSource)}, with the lookups' answers given ({@code ferry test}'s fixtures). */
    public static Result run(Mapping mapping, Sample sample, DataSource db, LookupSource fixedLookups) {
        List<String> notes = new ArrayList<>();
        List<Problem> errors = new ArrayList<>();
        sample.problems().forEach(p -> errors.add(new Problem(sample.label(), "record", p)));
        SkippedLookups skipped = null;
        LookupSource lookups;
        if (fixedLookups != null) {
            lookups = fixedLookups;
        } else if (db != null) {
            lookups = new JdbcLookupSource(db, Duration.ofMinutes(5));
        } else {
            skipped = new SkippedLookups();
            lookups = skipped;
        }
        Function<Object[], String[]> columnCheck = null;
        if (db != null) {
            try {
                columnCheck = DedupePreview.columnCheck(TargetTable.describe(db, mapping));
            } catch (MappingException | IllegalStateException e) {
                errors.add(new Problem(mapping.file().toString(), "target", e.getMessage()));
            }
        } else {
            notes.add("no database: the target table's columns were not checked");
        }
        RecordMapper mapper = mapping.newMapper(lookups);
        List<MappedRow> mapped = new ArrayList<>();
        List<String> whereOf = new ArrayList<>();
        for (Sample.Item item : sample.records()) {
            try {
                List<MappedRow> rows = mapper.map(item.record());
                String[] problem = null;
                for (int i = 0; columnCheck != null && problem == null && i < rows.size(); i++) {
                    problem = columnCheck.apply(rows.get(i).values());
                }
                if (problem != null) { // as in the pipeline: the whole record is rejected, named by its field
                    errors.add(new Problem(item.where(), problem[0], "field '" + problem[0] + "' " + problem[1]));
                    continue;
                }
                for (int i = 0; i < rows.size(); i++) {
                    mapped.add(rows.get(i));
                    whereOf.add(rows.size() == 1 ? item.where() : item.where() + " row " + (i + 1));
                }
            } catch (RecordRejectedException e) {
                errors.add(new Problem(item.where(), e.field(), e.getMessage()));
            } catch (LookupUnavailableException e) {
                errors.add(new Problem(item.where(), "lookup", e.getMessage()));
            } catch (RuntimeException | StackOverflowError e) { // a Groovy expression failing on this record
                errors.add(new Problem(item.where(), "record", e.toString()));
            }
        }
        List<String> neverFound = mapper.fieldsNeverFound();
        if (skipped != null && !skipped.used.isEmpty()) {
            notes.add("no database: lookups skipped for " + String.join(", ", skipped.used)
                    + " (their values show the field's default)");
        }
        List<DedupePreview.Decision> decisions = decide(mapping, mapped, db, notes);
        List<Row> rows = new ArrayList<>(mapped.size());
        for (int i = 0; i < mapped.size(); i++) {
            rows.add(new Row(whereOf.get(i), mapped.get(i), decisions.get(i)));
        }
        return new Result(mapping, sample, rows, errors, neverFound, notes);
    }

    private static List<DedupePreview.Decision> decide(Mapping mapping, List<MappedRow> rows, DataSource db, List<String> notes) {
        if (db != null) {
            try (Connection c = db.getConnection()) {
                c.setReadOnly(true);
                return DedupePreview.decide(mapping, rows, c);
            } catch (SQLException e) {
                notes.add("dedupe within the sample only: the store could not be read (" + e.getMessage() + ")");
            }
        } else {
            notes.add("no database: dedupe within the sample only (a key Ferry promoted before shows as NEW)");
        }
        try {
            return DedupePreview.decide(mapping, rows, null);
        } catch (SQLException e) {
            throw new IllegalStateException("no store was read", e);
        }
    }

    /** Lookups without a database: nothing is found; remembers which fields asked, to say so. */
    private static final class SkippedLookups implements LookupSource {
        final Set<String> used = new LinkedHashSet<>();

        @Override
        public synchronized Object lookup(String table, String keyColumn, String valueColumn, Object key) {
            used.add(table + "." + keyColumn + " → " + valueColumn);
            return null;
        }
    }
}
