package dev.ferry.source.sftp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.LookupUnavailableException;
import dev.ferry.mapping.RecordMapper;
import dev.ferry.mapping.RecordRejectedException;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.DeadLetterStore;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.SyncRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Loads one downloaded file into a run as one segment. First a check pass reads the whole file (memory stays
 * flat): decoding, CSV structure, the trailer's count and — in whole-file validation — every record through the
 * mapping, so a bad file is rejected before anything of it is promoted. Then the load pass hands the records to
 * the pipeline in batches; the last batch ends the segment with the file's count and commits the file's position.
 */
final class FileLoader {

    /** Problems kept per file (a file with a wrong delimiter would otherwise store every line). */
    static final int MAX_PROBLEMS = 10_000;

    /** What loading one file did. */
    record Result(String status, String verdict, String detail, FileLedger.LoadCounts counts, List<FileProblem> problems,
                  String batchIds, boolean positionCommitted) {
    }

    private final FerrySftpEndpoint config;
    private final String integration;
    private final DeadLetterStore deadLetters;
    private final Supplier<RecordMapper> mappers;

    FileLoader(FerrySftpEndpoint config, DeadLetterStore deadLetters, Supplier<RecordMapper> mappers) {
        this.config = config;
        this.integration = config.getIntegration();
        this.deadLetters = deadLetters;
        this.mappers = mappers;
    }

    Result load(SyncRun run, Path local, ListedFile file, String checksum) {
        Check check = check(local, file.name());
        if (check.fatal != null) {
            return rejected("REJECTED", file.name() + " " + check.fatal.getMessage(), check);
        }
        if (check.trailer != null && check.trailer != check.lines) {
            return rejected("MISMATCH", file.name() + ": the trailer declares " + check.trailer + " lines but the file has "
                    + check.lines, check);
        }
        if (config.getValidation() == ValidationMode.wholeFile && !check.problems.isEmpty()) {
            return rejected("REJECTED", file.name() + ": " + check.badLines + " invalid line(s), first at line "
                    + check.problems.get(0).line() + " (" + check.problems.get(0).reason() + "); whole-file validation: nothing loaded", check);
        }
        return submit(run, local, file, checksum, check);
    }

    /** Counts of the check pass. */
    private static final class Check {
        long lines;
        long badLines;
        Long trailer;
        FileParseException fatal;
        final List<FileProblem> problems = new ArrayList<>();

        void problem(long line, String reason) {
            badLines++;
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(new FileProblem(line, reason));
            }
        }
    }

    private Check check(Path local, String name) {
        Check c = new Check();
        RecordMapper mapper = config.getValidation() == ValidationMode.wholeFile ? mappers.get() : null;
        try (RecordFile records = open(local, name)) {
            for (SourceLine line = records.next(); line != null; line = records.next()) {
                c.lines++;
                if (line.problem() != null) {
                    c.problem(line.line(), line.problem());
                } else if (mapper != null) {
                    try {
                        mapper.map(line.record());
                    } catch (RecordRejectedException e) {
                        c.problem(line.line(), e.getMessage());
                    } catch (LookupUnavailableException e) {
                        throw e; // an outage, not a bad line: the poll fails and the file is tried again, not rejected
                    } catch (RuntimeException e) { // e.g. an expression failing on this record
                        c.problem(line.line(), e.toString());
                    }
                }
            }
            c.trailer = records.trailerCount();
        } catch (FileParseException e) {
            c.fatal = e;
            c.problem(e.line(), e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }

    private RecordFile open(Path local, String name) throws IOException {
        if (config.getFormat() == FileFormat.csv && java.nio.file.Files.size(local) == 0) {
            throw new FileParseException(1, "is empty (0 bytes): no header line", null);
        }
        return RecordFile.open(local, name, config.getFormat(), config.charset(), config.delimiterChar(), config.quoteChar(),
                config.trailerPattern());
    }

    private Result rejected(String verdict, String detail, Check c) {
        return new Result("MISMATCH".equals(verdict) ? "MISMATCH" : "REJECTED", verdict, detail,
                new FileLedger.LoadCounts(c.lines, c.trailer, 0, 0, 0, 0), c.problems, null, false);
    }

    private Result submit(SyncRun run, Path local, ListedFile file, String checksum, Check check) {
        String name = file.name();
        Batch.Segment segment = new Batch.Segment("file " + name, false);
        Position position = Position.latest("file:" + name, file.signature(checksum));
        int batchSize = config.getBatchSize();
        List<JsonNode> buffer = new ArrayList<>(Math.min(batchSize, 10_000));
        List<DeadLetterStore.Rejection> malformed = new ArrayList<>();
        long received = 0, staged = 0, rejected = 0, duplicates = 0, sourceRejected = 0;
        StringBuilder batchIds = new StringBuilder();
        long firstLine = -1, lastLine = -1;
        BatchResult last = null;
        try (RecordFile records = open(local, name)) {
            SourceLine line = records.next();
            while (true) {
                if (line != null) {
                    if (firstLine < 0) {
                        firstLine = line.line();
                    }
                    lastLine = line.line();
                    if (line.problem() != null) {
                        sourceRejected++;
                        malformed.add(new DeadLetterStore.Rejection(name + " line " + line.line(), (int) Math.min(line.line(), Integer.MAX_VALUE),
                                "line", integration + ": " + name + " line " + line.line() + ": " + line.problem(), line.raw()));
                    } else {
                        buffer.add(line.record());
                    }
                }
                SourceLine next = line == null ? null : records.next();
                boolean end = line == null || next == null;
                if (buffer.size() >= batchSize || end) {
                    String where = firstLine < 0 ? name + " (no data lines)" : name + " lines " + firstLine + "-" + lastLine;
                    Batch batch = Batch.of(buffer, where).inSegment(segment);
                    if (end) {
                        long sourceCount = (check.trailer != null ? check.trailer : check.lines) - sourceRejected;
                        String countedBy = (check.trailer != null ? "trailer count" : "lines in file")
                                + (sourceRejected > 0 ? " less " + sourceRejected + " malformed lines (dead letters)" : "");
                        batch = batch.endingSegment(sourceCount, countedBy).committing(position);
                    }
                    BatchResult r = run.submit(batch);
                    last = r;
                    received += r.received();
                    staged += r.staged();
                    rejected += r.rejected();
                    duplicates += r.duplicates() + r.unchanged();
                    batchIds.append(batchIds.isEmpty() ? "" : ",").append(r.batchId());
                    if (!malformed.isEmpty()) {
                        deadLetters.addSourceRejections(integration, run.runId(), r.batchId(), malformed);
                        malformed.clear();
                    }
                    buffer.clear();
                    firstLine = -1;
                    if (end) {
                        break;
                    }
                }
                line = next;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long sourceLines = check.trailer != null ? check.trailer : check.lines;
        FileLedger.LoadCounts counts = new FileLedger.LoadCounts(check.lines, check.trailer, received, staged, rejected + sourceRejected,
                duplicates);
        boolean balanced = sourceLines == received + sourceRejected && received == staged + rejected + duplicates;
        String sums = (check.trailer != null ? "trailer " : "lines ") + sourceLines + " = received " + received + " + malformed "
                + sourceRejected + "; received " + received + " = staged " + staged + " + rejected " + rejected
                + " + duplicates/unchanged " + duplicates;
        boolean committed = last.positionsCommitted().stream().anyMatch(p -> p.name().equals(position.name()));
        String verdict = last.segmentVerdict();
        if (!balanced && !"MISMATCH".equals(verdict)) {
            verdict = "MISMATCH";
        }
        String status;
        String detail;
        if ("MISMATCH".equals(verdict)) {
            status = "MISMATCH";
            detail = name + " did not reconcile: " + sums;
        } else if (!committed) {
            status = "RETAKE";
            detail = name + " was promoted but its position was held back (an earlier file of the run did not reconcile); "
                    + "it is taken again on the next poll. " + sums;
        } else {
            status = "LOADED";
            detail = sums;
        }
        return new Result(status, verdict, detail, counts, check.problems, batchIds.toString(), committed);
    }
}
