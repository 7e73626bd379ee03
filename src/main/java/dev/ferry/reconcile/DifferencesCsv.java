package dev.ferry.reconcile;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A reconciliation run's differences as CSV (issue 10 item 8), one line per difference with both values, for the
 * CLI ({@code ferry reconcile csv}) and the admin API ({@code /api/reconcile/runs/{run}/differences.csv}).
 * Commons CSV quotes what needs quoting (keys joined with |, values holding commas and line breaks).
 */
public final class DifferencesCsv {

    public static final List<String> HEADER = List.of("id", "run_id", "integration", "category", "business_key", "fields",
            "source_value", "target_value", "message", "state", "checks", "review", "found_at");

    private DifferencesCsv() {
    }

    /** Writes the run's differences; a run that does not exist fails with {@link ReconcileException} before anything is written. */
    public static void write(ReconcileStore store, long runId, Appendable out) {
        store.run(runId); // names a missing run instead of printing an empty report
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(HEADER.toArray(String[]::new)).get())) {
            for (ReconcileStore.StoredDifference d : store.ofRun(runId)) {
                csv.printRecord(d.id(), d.runId(), d.integration(), d.category(), d.key(), d.fields(), d.sourceValue(), d.targetValue(),
                        d.message(), d.state(), d.checks(), d.review(), d.foundAt());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The admin API's answer: 200 text/csv, 404 for an unknown run, 400 for a run id that is not a number. */
    public static void reply(org.apache.camel.Exchange e, javax.sql.DataSource dataSource, String run) {
        org.apache.camel.Message m = e.getMessage();
        long runId;
        try {
            runId = Long.parseLong(run);
        } catch (NumberFormatException ex) {
            m.setBody("run must be a number, not '" + run + "'\n");
            m.setHeader(org.apache.camel.Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            m.setHeader(org.apache.camel.Exchange.HTTP_RESPONSE_CODE, 400);
            return;
        }
        try {
            m.setBody(of(new ReconcileStore(dataSource), runId));
            m.setHeader(org.apache.camel.Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
            m.setHeader("Content-Disposition", "attachment; filename=\"reconciliation-" + runId + "-differences.csv\"");
            m.setHeader(org.apache.camel.Exchange.HTTP_RESPONSE_CODE, 200);
        } catch (ReconcileException ex) {
            m.setBody(ex.getMessage() + "\n");
            m.setHeader(org.apache.camel.Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            m.setHeader(org.apache.camel.Exchange.HTTP_RESPONSE_CODE, ex.getMessage().startsWith("no reconciliation run") ? 404 : 503);
        }
    }

    public static String of(ReconcileStore store, long runId) {
        StringBuilder sb = new StringBuilder();
        write(store, runId, sb);
        return sb.toString();
    }
}
