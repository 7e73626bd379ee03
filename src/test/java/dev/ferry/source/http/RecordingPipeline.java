package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.Mapping;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SourcePositions;
import dev.ferry.pipeline.SyncRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Test double of Ferry's pipeline contract: records windows, batches and the outcome of each run. */
final class RecordingPipeline implements IntegrationPipeline {

    record Batch(List<JsonNode> records, Long reportedTotal, String where) {
    }

    final class Run implements SyncRun {
        final long id;
        final String windowFrom;
        final String windowTo;
        final List<Batch> batches = new ArrayList<>();
        boolean completed;
        /** The watermark committed by the run's batches, once the run completed. */
        String completedWith;
        String committed;
        final List<SourceStats> sourceStats = new ArrayList<>();
        Throwable failedWith;
        boolean closed;

        Run(long id, String windowFrom, String windowTo) {
            this.id = id;
            this.windowFrom = windowFrom;
            this.windowTo = windowTo;
        }

        @Override
        public long runId() {
            return id;
        }

        @Override
        public String integration() {
            return name;
        }

        /** Batches with records (a batch that only closes a segment with its position is not listed). */
        @Override
        public BatchResult submit(dev.ferry.pipeline.Batch batch) {
            if (completed || failedWith != null || closed) {
                throw new IllegalStateException("submit after the run ended");
            }
            List<JsonNode> records = batch.records();
            if (!records.isEmpty()) {
                batches.add(new Batch(records, batch.reportedTotal(), batch.where()));
            }
            // Like the real pipeline: positions commit with the batch that reached them.
            for (Position p : batch.positions()) {
                if (p.name().equals(SourcePositions.WATERMARK)) {
                    position = p.value();
                    committed = p.value();
                }
            }
            return new BatchResult(batches.size(), records.size(), records.size(), 0, 0, 0, records.size(),
                    records.size(), 0, 0, 0, true, batch.end() == null ? null : "UNVERIFIED", batch.positions());
        }

        @Override
        public void addSourceStats(SourceStats stats) {
            sourceStats.add(stats);
        }

        @Override
        public RunStatus complete() {
            completed = true;
            completedWith = committed;
            return RunStatus.SUCCEEDED;
        }

        @Override
        public void fail(Throwable cause) {
            failedWith = cause;
        }

        @Override
        public void close() {
            closed = true;
        }

        int recordCount() {
            return batches.stream().mapToInt(b -> b.records().size()).sum();
        }
    }

    private final String name;
    String position;
    final List<Run> runs = new ArrayList<>();
    final List<String> failedStarts = new ArrayList<>();

    RecordingPipeline(String name, String position) {
        this.name = name;
        this.position = position;
    }

    Run lastRun() {
        return runs.get(runs.size() - 1);
    }

    @Override
    public String integration() {
        return name;
    }

    @Override
    public Mapping mapping() {
        throw new UnsupportedOperationException("tests select records with the recordSelector option");
    }

    @Override
    public Optional<Position> position(String positionName) {
        return SourcePositions.WATERMARK.equals(positionName) && position != null
                ? Optional.of(new Position(positionName, position, null)) : Optional.empty();
    }

    @Override
    public Map<String, Position> positions() {
        return position(SourcePositions.WATERMARK).map(p -> Map.of(p.name(), p)).orElse(Map.of());
    }

    @Override
    public SyncRun startRun(RunRequest request) {
        Run run = new Run(runs.size() + 1, request.windowFrom(), request.windowTo());
        runs.add(run);
        return run;
    }

    @Override
    public void forgetPromotedKeys(java.util.Collection<String> businessKeys) {
        throw new UnsupportedOperationException("the HTTP source never forgets keys");
    }

    @Override
    public void recordFailedStart(String trigger, String reason) {
        failedStarts.add(reason);
    }
}
