package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.Mapping;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SourcePositions;
import dev.ferry.pipeline.SyncRun;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One page of an integration's source, fetched exactly as its pull would fetch it (the endpoint's own window,
 * request templates, paging, answer checks, retries and record selection: {@link HttpPullRun}), for
 * {@code ferry try --live}. The run goes to a pipeline that writes nothing: it keeps the first batch holding
 * records and stops the walk there.
 */
public final class FirstPage {

    /** The records of the first non-empty page and where they came from; records is empty when the window held none. */
    public record Page(String where, List<JsonNode> records, String positionsUnreadable) {
    }

    private FirstPage() {
    }

    /**
     * @param positions where to read the integration's committed positions from (the window starts there, as the
     *                  next pull would); null: as on a first run ({@code initialPosition})
     */
    public static Page fetch(FerryHttpEndpoint endpoint, Mapping mapping, DataSource positions) {
        Capture capture = new Capture(mapping, positions);
        try {
            endpoint.newRun(capture).execute();
        } catch (PullFailedException e) {
            if (capture.page == null) {
                throw e;
            }
        }
        Page page = capture.page != null ? capture.page : new Page(capture.lastWhere == null ? "no page" : capture.lastWhere, List.of(), null);
        return new Page(page.where(), page.records(), capture.positionsUnreadable);
    }

    /** Thrown by the capturing run to stop the walk once it holds a page (the pull reports it as a failure; it is not). */
    private static final class Taken extends RuntimeException {
        Taken() {
            super("one page taken for ferry try", null, false, false);
        }
    }

    private static final class Capture implements IntegrationPipeline, SyncRun {
        private final Mapping mapping;
        private final SourcePositions positions;
        volatile Page page;
        volatile String lastWhere;
        volatile String positionsUnreadable;

        Capture(Mapping mapping, DataSource db) {
            this.mapping = mapping;
            this.positions = db == null ? null : new SourcePositions(db);
        }

        @Override
        public String integration() {
            return mapping.integration();
        }

        @Override
        public Mapping mapping() {
            return mapping;
        }

        @Override
        public Optional<Position> position(String name) {
            return positions == null ? Optional.empty() : positions.get(integration(), name);
        }

        @Override
        public Map<String, Position> positions() {
            if (positions == null) {
                return Map.of();
            }
            try {
                return positions.all(integration());
            } catch (RuntimeException e) { // e.g. a database Ferry never ran on: start where a first run would
                positionsUnreadable = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                return Map.of();
            }
        }

        @Override
        public SyncRun startRun(RunRequest request) {
            return this;
        }

        @Override
        public void forgetPromotedKeys(java.util.Collection<String> businessKeys) {
            throw new UnsupportedOperationException("ferry try writes nothing");
        }

        @Override
        public void recordFailedStart(String trigger, String reason) {
            // nothing is written: the caller sees the PullFailedException with the same reason
        }

        @Override
        public long runId() {
            return 0;
        }

        @Override
        public BatchResult submit(Batch batch) {
            lastWhere = batch.where();
            if (!batch.records().isEmpty()) {
                page = new Page(batch.where(), batch.records(), null);
                throw new Taken();
            }
            return new BatchResult(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, true, null, List.of());
        }

        @Override
        public void addSourceStats(SourceStats stats) {
        }

        @Override
        public RunStatus complete() {
            return RunStatus.SUCCEEDED;
        }

        @Override
        public void fail(Throwable cause) {
        }

        @Override
        public void close() {
        }
    }
}
