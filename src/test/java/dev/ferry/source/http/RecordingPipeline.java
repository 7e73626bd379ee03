package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.Mapping;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.SyncRun;

import java.util.ArrayList;
import java.util.List;
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
        String completedWith;
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

        @Override
        public BatchResult submit(List<JsonNode> records, Long reportedTotal, String where) {
            if (completed || failedWith != null || closed) {
                throw new IllegalStateException("submit after the run ended");
            }
            batches.add(new Batch(List.copyOf(records), reportedTotal, where));
            return new BatchResult(batches.size(), records.size(), records.size(), 0, 0, 0, records.size(),
                    records.size(), 0, 0, 0, false);
        }

        @Override
        public void complete(String newPosition) {
            completed = true;
            completedWith = newPosition;
            if (newPosition != null) {
                position = newPosition;
            }
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
    public Optional<String> position() {
        return Optional.ofNullable(position);
    }

    @Override
    public SyncRun startRun(String windowFrom, String windowTo) {
        Run run = new Run(runs.size() + 1, windowFrom, windowTo);
        runs.add(run);
        return run;
    }
}
