package dev.ferry.pipeline;

import org.slf4j.MDC;

import java.util.Map;

/**
 * The ids a log line of the pipeline carries (issue 11: every line names its integration, run and batch): MDC keys
 * {@value #INTEGRATION}, {@value #RUN}, {@value #BATCH}, printed by {@code log4j2.xml}. Opened around a piece of a
 * run's work on whichever thread does it (the source's, the staging or the promotion thread); closing puts back what
 * the thread had before, so a source thread's own context survives. Own class rather than bare MDC calls: one place
 * for the key names and for the restore.
 */
public final class LogContext implements AutoCloseable {

    public static final String INTEGRATION = "integration";
    public static final String RUN = "run";
    public static final String BATCH = "batch";

    private final Map<String, String> previous;

    private LogContext(String integration, long runId, long batchId) {
        previous = MDC.getCopyOfContextMap();
        MDC.put(INTEGRATION, integration);
        MDC.put(RUN, Long.toString(runId));
        if (batchId > 0) {
            MDC.put(BATCH, Long.toString(batchId));
        } else {
            MDC.remove(BATCH);
        }
    }

    /** A run's work before (or outside) a batch. */
    public static LogContext run(String integration, long runId) {
        return new LogContext(integration, runId, -1);
    }

    /** One batch's work. */
    public static LogContext batch(String integration, long runId, long batchId) {
        return new LogContext(integration, runId, batchId);
    }

    /** The batch a piece of work has just opened, inside an enclosing {@link #run} scope (which restores it). */
    static void enterBatch(long batchId) {
        MDC.put(BATCH, Long.toString(batchId));
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(previous);
        }
    }
}
