package dev.ferry.source.sftp;

import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One poll of an integration's SFTP directory: connect, list, work out the expected days (backfill), decide per
 * file from the file ledger what is new, wait for incomplete files, download, load each new file as one segment of
 * the poll's run, and ask again for the days still missing — alerting once a day has been missing for
 * {@code maxAsks} polls. Any later poll still takes a file that arrives late.
 */
final class SftpPoll {

    private static final Logger LOG = LoggerFactory.getLogger(SftpPoll.class);
    /** Statuses of a file version that is done with until its content changes or an operator asks again. */
    private static final Set<String> SETTLED = Set.of("LOADED", "SUPERSEDED", "UNCHANGED", "REJECTED", "MISMATCH", "UNSAFE");

    private final FerrySftpEndpoint config;
    private final IntegrationPipeline pipeline;
    private final FileLedger ledger;
    private final FileLoader loader;
    private final Supplier<SftpServerConnection> connections;
    private final String integration;
    private final Summary summary = new Summary();

    SftpPoll(FerrySftpEndpoint config, IntegrationPipeline pipeline, FileLedger ledger, FileLoader loader,
             Supplier<SftpServerConnection> connections) {
        this.config = config;
        this.pipeline = pipeline;
        this.ledger = ledger;
        this.loader = loader;
        this.connections = connections;
        this.integration = config.getIntegration();
    }

    /** What one poll did, for the exchange body and the demo. */
    static final class Summary {
        Long runId;
        String status;
        final List<String> loaded = new ArrayList<>();
        final List<String> replaced = new ArrayList<>();
        final List<String> unchanged = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();
        final List<String> waiting = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        final List<String> missing = new ArrayList<>();
        final List<String> alerts = new ArrayList<>();

        Map<String, Object> toMap(String integration) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("integration", integration);
            m.put("runId", runId);
            m.put("status", status);
            m.put("loaded", loaded);
            m.put("replaced", replaced);
            m.put("unchanged", unchanged);
            m.put("rejected", rejected);
            m.put("waiting", waiting);
            m.put("failed", failed);
            m.put("lateDays", late);
            m.put("missingDays", missing);
            m.put("alerts", alerts);
            return m;
        }
    }

    Summary execute(String trigger) {
        Instant now = config.clock().instant();
        LocalDate newestDay = LocalDate.ofInstant(now, config.zoneId()).minusDays(config.getLagDays());
        SftpServerConnection server = connections.get();
        try {
            List<ListedFile> listing;
            try {
                config.checkCredentials();
                listing = connectAndList(server);
            } catch (SftpFailedException e) {
                int failures = ledger.pollFailed(integration, e.getMessage());
                String reason = e.getMessage() + " (" + failures + " failed poll(s) in a row)";
                pipeline.recordFailedStart(trigger, reason);
                if (failures >= config.getAlertAfterFailures()) {
                    LOG.error("ALERT {}: SFTP server unusable for {} polls in a row: {}", integration, failures, e.getMessage());
                }
                throw new SftpFailedException(integration + ": " + reason, e.getCause());
            }
            ledger.pollSucceeded(integration);
            Map<String, ListedFile> byName = new TreeMap<>();
            listing.forEach(f -> byName.put(f.name(), f));

            FileNamePattern pattern = config.fileNamePattern();
            LocalDate firstDay = null;
            if (pattern.dated()) {
                Optional<LocalDate> lastExpected = ledger.lastExpectedDay(integration);
                LocalDate start = config.startDate() != null ? config.startDate() : newestDay;
                LocalDate from = lastExpected.map(d -> d.plusDays(1)).orElse(start);
                if (config.startDate() != null && lastExpected.isEmpty()) {
                    from = config.startDate();
                }
                ledger.expect(integration, from, newestDay);
                firstDay = ledger.days(integration, false).stream().map(FileLedger.DayRow::day).min(Comparator.naturalOrder()).orElse(from);
            }
            List<ListedFile> candidates = new ArrayList<>();
            for (ListedFile f : byName.values()) {
                String problem = SafeFileName.problem(f.name());
                if (problem != null) {
                    if (pattern.matches(f.name()) || f.name().contains("..")) {
                        unsafe(f, problem);
                    }
                    continue;
                }
                if (!pattern.matches(f.name())) {
                    continue;
                }
                if (pattern.dated()) {
                    LocalDate day = pattern.dateOf(f.name());
                    if (day == null || day.isAfter(newestDay) || day.isBefore(firstDay)) {
                        continue;
                    }
                }
                candidates.add(f);
            }
            candidates.sort(Comparator.comparing((ListedFile f) -> String.valueOf(pattern.dateOf(f.name()))).thenComparing(ListedFile::name));

            String from = pattern.dated() ? String.valueOf(firstDay) : null;
            String to = pattern.dated() ? String.valueOf(newestDay) : null;
            try (SyncRun run = pipeline.startRun(RunRequest.of(trigger, from, to))) {
                summary.runId = run.runId();
                try {
                    for (ListedFile f : candidates) {
                        take(run, server, f, byName, now);
                    }
                    if (pattern.dated()) {
                        askForMissingDays(pattern, byName);
                    }
                    summary.status = run.complete().name();
                } catch (RuntimeException e) {
                    run.fail(e);
                    throw e;
                }
            }
            return summary;
        } finally {
            server.close();
        }
    }

    private List<ListedFile> connectAndList(SftpServerConnection server) {
        RuntimeException last = null;
        for (int attempt = 0; attempt <= config.getMaxRetries(); attempt++) {
            if (attempt > 0) {
                pause(attempt);
            }
            try {
                server.connect();
                return server.list();
            } catch (SftpFailedException e) {
                last = e;
                if (isPermanent(e)) {
                    throw e; // a refused login or host key does not get better by asking again
                }
            } catch (RuntimeException e) {
                last = new SftpFailedException("listing " + config.getDirectory() + " on " + server.server() + " failed: "
                        + server.explain(e), null);
            }
            server.reset();
        }
        throw last instanceof SftpFailedException s ? s : new SftpFailedException(String.valueOf(last.getMessage()), last);
    }

    private static boolean isPermanent(SftpFailedException e) {
        return e.getMessage().contains("authentication failed") || e.getMessage().contains("host key");
    }

    private void unsafe(ListedFile f, String problem) {
        Optional<FileLedger.FileRow> seen = ledger.latest(integration, f.name());
        if (seen.isEmpty()) {
            long id = ledger.insert(integration, f, null, "UNSAFE");
            ledger.status(id, "UNSAFE", "not taken: " + problem);
            LOG.warn("{}: file {} on the server not taken: {}", integration, SafeFileName.shown(f.name()), problem);
        }
        summary.rejected.add(SafeFileName.shown(f.name()) + " (" + problem + ")");
    }

    /** Decides about one listed file and loads it when it is new and complete. */
    private void take(SyncRun run, SftpServerConnection server, ListedFile f, Map<String, ListedFile> listing, Instant now) {
        String name = f.name();
        LocalDate day = config.fileNamePattern().dateOf(name);
        Optional<FileLedger.FileRow> latest = ledger.latest(integration, name);
        if (latest.isPresent() && "LOADING".equals(latest.get().status()) && recoveredAfterCrash(latest.get())) {
            latest = ledger.latest(integration, name);
        }
        boolean sameListing = latest.isPresent() && latest.get().size() == f.size() && latest.get().mtime() == f.mtime();
        if (sameListing && SETTLED.contains(latest.get().status())) {
            return; // nothing changed on the server since Ferry settled this file
        }
        // incomplete files: a done marker, a minimum age, a size that held still since the previous poll
        String waitingFor = null;
        if (config.getDoneMarker() != null && !config.getDoneMarker().isEmpty() && !listing.containsKey(name + config.getDoneMarker())) {
            waitingFor = "its done marker " + name + config.getDoneMarker();
        } else if (Duration.between(Instant.ofEpochSecond(f.mtime()), now).compareTo(config.minAge()) < 0) {
            waitingFor = "a minimum age of " + config.getMinAge();
        } else if (config.isStableSize() && !(sameListing && "WAITING".equals(latest.get().status()))) {
            waitingFor = "its size to hold still until the next poll";
        }
        long id;
        if (latest.isPresent() && Set.of("WAITING", "FAILED", "RETAKE", "LOADING").contains(latest.get().status())) {
            id = latest.get().id();
            if (waitingFor != null) {
                ledger.relisted(id, f);
                if (!"RETAKE".equals(latest.get().status())) {
                    ledger.status(id, "WAITING", "waiting for " + waitingFor);
                }
            }
        } else if (waitingFor != null) {
            id = ledger.insert(integration, f, day, "WAITING");
            ledger.status(id, "WAITING", "waiting for " + waitingFor);
        } else {
            id = ledger.insert(integration, f, day, "LOADING");
        }
        if (waitingFor != null) {
            summary.waiting.add(name);
            LOG.info("{}: {} not taken yet: waiting for {}", integration, name, waitingFor);
            return;
        }
        boolean retake = latest.isPresent() && "RETAKE".equals(latest.get().status());

        Path local;
        try {
            local = downloadWithRetries(server, f);
        } catch (RuntimeException e) {
            String why = server.scrub(e.getMessage());
            ledger.attemptFailed(id, why);
            summary.failed.add(name);
            LOG.warn("{}: {} not loaded this poll, tried again on the next: {}", integration, name, why);
            return;
        }
        try {
            String checksum = sha256(local);
            Optional<FileLedger.FileRow> loaded = ledger.latestLoaded(integration, name);
            if (!retake && loaded.isPresent() && checksum.equals(loaded.get().checksum())) {
                ledger.relisted(id, f);
                ledger.status(id, "UNCHANGED", "re-uploaded with the same content as file version " + loaded.get().id() + " (skipped)");
                summary.unchanged.add(name);
                LOG.info("{}: {} re-uploaded with the same content: skipped", integration, name);
                return;
            }
            ledger.loading(id, f, checksum, run.runId());
            FileLoader.Result result = loader.load(run, local, f, checksum);
            ledger.finished(id, result.status(), result.counts(), result.verdict(), result.detail(), result.batchIds());
            if (!result.problems().isEmpty()) {
                ledger.problems(id, result.problems());
            }
            finishDay(name, day, id, result, loaded.isPresent() && !retake);
            afterLoad(server, name, result);
        } finally {
            try {
                Files.deleteIfExists(local);
            } catch (IOException ignored) {
                // the work directory is scratch space; the next download of this name replaces it
            }
        }
    }

    private void finishDay(String name, LocalDate day, long id, FileLoader.Result result, boolean replacing) {
        switch (result.status()) {
            case "LOADED" -> {
                ledger.supersedeOlder(integration, name, id);
                (replacing ? summary.replaced : summary.loaded).add(name);
                LOG.info("{}: {} {} ({}; {})", integration, name, replacing ? "replaced its earlier version" : "loaded",
                        result.verdict(), result.detail());
                if (day != null) {
                    boolean wasMissing = ledger.days(integration, true).stream()
                            .anyMatch(d -> d.day().equals(day) && "MISSING".equals(d.status()));
                    if (wasMissing) {
                        summary.late.add(day.toString());
                        LOG.warn("{}: the file for {} arrived late and was taken (the day was marked MISSING)", integration, day);
                    }
                    ledger.day(integration, day, "LOADED", id);
                }
            }
            case "RETAKE" -> {
                summary.failed.add(name);
                LOG.warn("{}: {}", integration, result.detail());
            }
            default -> {
                summary.rejected.add(name);
                summary.alerts.add(result.detail());
                LOG.error("ALERT {}: {} {}: {}", integration, name, result.status(), result.detail());
                if (day != null) {
                    ledger.day(integration, day, "REJECTED", id);
                }
            }
        }
    }

    /** On a writable server, optionally move a finished file to done/ or error/. */
    private void afterLoad(SftpServerConnection server, String name, FileLoader.Result result) {
        String toDir = "LOADED".equals(result.status()) ? config.getMoveDone()
                : Set.of("REJECTED", "MISMATCH").contains(result.status()) ? config.getMoveError() : null;
        if (toDir == null || toDir.isBlank()) {
            return;
        }
        try {
            server.move(name, toDir);
        } catch (RuntimeException e) {
            LOG.warn("{}: {} could not be moved to {}: {} (the file ledger already knows it)", integration, name, toDir,
                    server.scrub(e.getMessage()));
        }
    }

    /** A file left LOADING by a crash: its position tells whether its last batch committed. */
    private boolean recoveredAfterCrash(FileLedger.FileRow row) {
        Optional<Position> p = pipeline.position("file:" + row.path());
        ListedFile asListed = new ListedFile(row.path(), row.size(), row.mtime());
        if (row.checksum() != null && p.isPresent() && p.get().value().equals(asListed.signature(row.checksum()))) {
            ledger.status(row.id(), "LOADED", "recovered: the file's position committed before the run ended");
            if (row.fileDate() != null) {
                ledger.day(integration, row.fileDate(), "LOADED", row.id());
            }
            return true;
        }
        ledger.status(row.id(), "FAILED", "the run loading it ended before its last batch committed");
        return true;
    }

    private Path downloadWithRetries(SftpServerConnection server, ListedFile f) {
        RuntimeException last = null;
        for (int attempt = 0; attempt <= config.getMaxRetries(); attempt++) {
            if (attempt > 0) {
                pause(attempt);
                server.reset();
                server.connect();
            }
            try {
                return server.download(f);
            } catch (RuntimeException e) {
                last = e;
                LOG.warn("{}: downloading {} failed (attempt {} of {}): {}", integration, f.name(), attempt + 1, config.getMaxRetries() + 1,
                        server.scrub(server.explain(e)));
            }
        }
        throw new SftpFailedException("downloading " + f.name() + " failed " + (config.getMaxRetries() + 1) + " times: "
                + server.explain(last), null);
    }

    private void askForMissingDays(FileNamePattern pattern, Map<String, ListedFile> listing) {
        for (FileLedger.DayRow d : ledger.days(integration, true)) {
            if (!"EXPECTED".equals(d.status()) && !"MISSING".equals(d.status())) {
                continue;
            }
            String expected = pattern.nameFor(d.day());
            if (listing.containsKey(expected)) {
                continue; // present (waiting, or failed this time): not missing
            }
            int asked = ledger.asked(integration, d.day());
            summary.missing.add(d.day().toString());
            if ("EXPECTED".equals(d.status()) && asked >= config.getMaxAsks()) {
                ledger.day(integration, d.day(), "MISSING", null);
                String alert = "no file " + expected + " for " + d.day() + " after " + asked + " polls: marked MISSING (a late file is still taken)";
                summary.alerts.add(alert);
                LOG.error("ALERT {}: {}", integration, alert);
            } else {
                LOG.info("{}: no file {} for {} yet (asked {} time(s))", integration, expected, d.day(), asked);
            }
        }
    }

    private void pause(int attempt) {
        long millis = config.retryDelay().toMillis() * (1L << Math.min(attempt - 1, 6));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SftpFailedException(integration + ": interrupted", e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    static String join(List<String> items) {
        return items.stream().collect(Collectors.joining(", "));
    }
}
