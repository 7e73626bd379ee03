package dev.ferry.source.kafka;

import dev.ferry.pipeline.Alerts;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.LookupSource;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.DeadLetterStore;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.PauseStore;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One consumer of a Kafka source: each poll becomes one pipeline batch whose positions are the next offsets
 * of its partitions, committed in the batch's promotion transaction; afterwards the same offsets are committed
 * to Kafka, only so that lag tools see them. On assignment each partition seeks to its offset in MySQL.
 *
 * <p>Why its own poll loop on kafka-clients rather than camel-kafka's consumer: camel-kafka seeks only to the
 * beginning or end of a partition (or through its resume strategies, which keep the offsets in Kafka or a
 * cache) and commits through its own commit managers; here the offset that counts lives in MySQL, is read in
 * the rebalance listener per partition, and on an outage the loop must rewind to the first unpromoted offset
 * and pause — so it drives the {@link KafkaConsumer} (the client camel-kafka uses) itself. The loop runs as
 * the Camel consumer of a {@code ferry-kafka:} endpoint, so it is started, stopped and seen like any route.
 *
 * <p>Batches overlap (issue 8, speed): a poll is parsed, mapped and submitted ({@link SyncRun#submitAsync}) while the
 * batches before it are staged and promoted on the run's own threads, in order, each with its offsets. Their outcomes
 * are collected between polls, oldest first: a promoted batch then commits its offsets to Kafka (lag tools) and runs
 * the route's steps. When a batch fails, the run abandons every batch after it; the loop waits for the batches still in
 * flight, rewinds each partition to the first offset not promoted and pauses as for any outage. A revoked partition
 * waits for the batches in flight before it is handed over, so its next owner reads the offset they committed.
 *
 * <p>Not thread-safe: one thread runs {@link #run()}; {@link #stop()} may be called from any thread.
 */
public final class KafkaBatchLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchLoop.class);
    private static final long PAUSE_CHECK_NANOS = 1_000_000_000L;
    /** Poll timeout while batches are in flight: short, so their outcomes (Kafka commits, route steps) are not held up. */
    private static final Duration IN_FLIGHT_POLL = Duration.ofMillis(5);

    private final IntegrationPipeline pipeline;
    private final DeadLetterStore deadLetters;
    private final PauseStore pauses;
    private final KafkaSourceSettings settings;
    private final RetryGate retryGate;
    /** Retry-topic partitions whose next record is not due yet: paused until then (due time, enqueue time of that record). */
    private final Map<TopicPartition, long[]> waitingRetries = new ConcurrentHashMap<>();
    private final Consumer<BatchResult> afterPromotion;
    private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
    /** Next offset committed in MySQL per partition, as this consumer knows it. */
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    /** Assigned partitions whose MySQL offset could not be read yet (database down): paused until sought. */
    private final Set<TopicPartition> unsought = new HashSet<>();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private volatile boolean paused;
    /** An operator paused the integration (ferry_pause): every partition is paused, no run is open, nothing is written. */
    private volatile boolean held;
    private long lastPauseCheck;
    private final java.util.concurrent.atomic.AtomicLong promotedBatches = new java.util.concurrent.atomic.AtomicLong();
    private volatile Consumer<Map<TopicPartition, Long>> lagListener = lag -> { };
    /** Values as ByteBuffers: a view of the fetched bytes, parsed in place (a byte[] value is a copy of each message). */
    private volatile KafkaConsumer<byte[], ByteBuffer> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private long lastLagCheck;
    private int failedAttempts;
    /** Attempts that failed as an outage since the loop started (failedAttempts restarts at each success). */
    private final java.util.concurrent.atomic.AtomicLong outageFailures = new java.util.concurrent.atomic.AtomicLong();
    private SyncRun run;
    /** Batches submitted and not collected yet, in submission order (= promotion order). */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    /** The first failure of a batch since the last recovery: the loop rewinds and pauses before it submits again. */
    private RuntimeException failure;
    /** Per partition, the first offset no promoted batch covers: where the partition rewinds to after a failure. */
    private final Map<TopicPartition, Long> rewindTo = new HashMap<>();
    /** Inside a rebalance callback: Kafka commits are synchronous there (the partitions are about to go). */
    private boolean rebalancing;
    /** Next offsets promoted and not yet committed to Kafka (lag tools), per partition. */
    private final Map<TopicPartition, Long> toCommit = new HashMap<>();
    private long lastKafkaCommit;
    private static final long KAFKA_COMMIT_NANOS = 1_000_000_000L;
    private final DatabaseProbe database;
    /** When this thread started waiting for the pipeline (a submission, or the batches in flight); 0 while it is not. */
    private volatile long waitingSince;
    /** When the watchdog last asked the database (watchdog thread only). */
    private long lastProbe;
    /** How long the loop waits for the pipeline before the watchdog asks the database whether it answers. */
    private static final long WATCH_AFTER_NANOS = 3_000_000_000L;

    public KafkaBatchLoop(IntegrationPipeline pipeline, DeadLetterStore deadLetters, PauseStore pauses, LookupSource lookups,
                          KafkaSourceSettings settings, Consumer<BatchResult> afterPromotion) {
        this(pipeline, deadLetters, pauses, lookups, settings, afterPromotion, new DatabaseProbe(null));
    }

    /** @param database tells early whether the database answers (a batch waits the pool's connection timeout when it does not) */
    KafkaBatchLoop(IntegrationPipeline pipeline, DeadLetterStore deadLetters, PauseStore pauses, LookupSource lookups,
                          KafkaSourceSettings settings, Consumer<BatchResult> afterPromotion, DatabaseProbe database) {
        this.database = database;
        this.pipeline = pipeline;
        this.deadLetters = deadLetters;
        this.pauses = pauses;
        this.retryGate = new RetryGate(pipeline.mapping(), lookups);
        this.settings = settings;
        this.afterPromotion = afterPromotion;
    }

    /** Lag (messages not yet promoted) per partition, as last measured. */
    public Map<TopicPartition, Long> lag() {
        return Map.copyOf(lag);
    }

    /** Partitions assigned to this consumer now. */
    public Set<TopicPartition> assigned() {
        return Set.copyOf(assigned);
    }

    /** True while promotion fails (database down) and consumption waits. */
    public boolean paused() {
        return paused;
    }

    /** Batches this loop has promoted (with their offsets) since it started. */
    public long promotedBatches() {
        return promotedBatches.get();
    }

    /** Attempts that failed as an outage (database down: nothing dead-lettered, the partitions rewound) since the loop started. */
    public long outageFailures() {
        return outageFailures.get();
    }

    /** True while an operator's pause (ferry_pause) holds consumption. */
    public boolean held() {
        return held;
    }

    /** Called with the lag per partition each time it is measured (the metrics); set before the loop runs. */
    public void onLagMeasured(Consumer<Map<TopicPartition, Long>> listener) {
        this.lagListener = listener;
    }

    public void stop() {
        running = false;
        KafkaConsumer<byte[], ByteBuffer> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        // the JDK's scheduler, not Camel's: the loop is plain Java and gets no CamelContext; one daemon thread per loop
        java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-kafka-" + settings.integration() + "-db-watch");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(this::watchDatabase, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        try (KafkaConsumer<byte[], ByteBuffer> c = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteBufferDeserializer());
             KafkaProducer<byte[], byte[]> deadLetterProducer = settings.deadLetterTopic() == null && settings.retryTopic() == null
                     ? null : producer()) {
            consumer = c;
            producer = deadLetterProducer;
            List<String> topics = new ArrayList<>(settings.topics());
            if (settings.retryTopic() != null) {
                topics.add(settings.retryTopic()); // requeued records come back through the same loop, offsets in MySQL too
            }
            c.subscribe(topics, new SeekToMySqlOffsets());
            try {
                while (running) {
                    checkOperatorPause();
                    seekUnsought();
                    resumeDueRetries();
                    ConsumerRecords<byte[], ByteBuffer> records = c.poll(inFlight.isEmpty() ? settings.linger() : IN_FLIGHT_POLL);
                    collect(false);
                    if (!records.isEmpty()) {
                        if (failure == null) {
                            submit(records);
                        } else {
                            rewindLater(records); // a batch ahead failed: these are read again after the pause
                        }
                    }
                    collect(false);
                    if (failure != null) {
                        recover();
                    }
                    commitToKafkaIfDue();
                    checkLag();
                }
            } catch (WakeupException e) {
                if (running) {
                    throw e;
                }
            }
            collect(true); // stopping: the batches in flight promote (or fail) before the run ends
            flushKafkaCommits(); // the last offsets: closing the consumer waits for this commit
            endRun(failure);
        } finally {
            watchdog.shutdownNow();
            consumer = null;
            endRun(null);
        }
    }

    /**
     * On the watchdog thread: while this loop has waited for the pipeline longer than 3 s, asks the database (2 s, on a
     * connection of its own) whether it answers. When it does not, the loop counts as paused at once (the metric, one
     * WARN line) instead of after the pool's connection timeout; the batches in flight then fail by themselves (after
     * {@code ferry.db.connection-timeout}, 5 s by default) and the loop rewinds
     * as for any outage, or they promote if the server comes back first. Nothing is dead-lettered either way.
     */
    private void watchDatabase() {
        long since = waitingSince;
        long now = System.nanoTime();
        // at most one probe per 3 s: a slow promotion on a busy server must not cost a connection a second
        if (since == 0 || paused || now - since < WATCH_AFTER_NANOS || now - lastProbe < WATCH_AFTER_NANOS) {
            return;
        }
        lastProbe = now;
        if (!database.answers() && waitingSince == since) {
            paused = true;
            LOG.warn("ferry-kafka:{}: the database does not answer; consumption waits (the batches in flight fail or promote, then the "
                    + "partitions rewind to the first unpromoted offsets) — nothing is dead-lettered", settings.integration());
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>(settings.clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // MySQL holds the offsets that count
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.batchSize());
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) Math.min(settings.linger().toMillis(), 500));
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "ferry-" + settings.integration() + "-" + Integer.toHexString(System.identityHashCode(this)));
        return p;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>(settings.clientProperties());
        p.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("auto.offset") || k.startsWith("isolation"));
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()); // values go on as they came
    }

    /**
     * One poll → one batch, submitted without waiting for its promotion (the outcome is collected later). Records that
     * are not ready yet go to the retry topic, unreadable ones and exhausted retries to the dead-letter topic — both
     * written and flushed before the batch is submitted, so before it commits the offsets past them.
     */
    private void submit(ConsumerRecords<byte[], ByteBuffer> records) {
        Polled polled;
        try {
            polled = assemble(records);
        } catch (RuntimeException e) { // the retry gate's look-up: the database, not a record
            failure = e;
            rewindLater(records);
            return;
        }
        if (polled.first.isEmpty()) {
            return; // only retries that are not due yet
        }
        try {
            // The topics first: they need no database, so a crash after the commit loses no requeued or poison record.
            send(polled.requeued);
            publishDeadLetters(polled.unreadable);
            waitingSince = System.nanoTime();
            SyncRun r = currentRun();
            Batch batch = Batch.of(polled.parsed, polled.where).committing(polled.positions());
            // the pipeline holds the records until the batch is promoted; the loop keeps only offsets and dead letters
            // (collected after the promotion: held here, a promoted batch's records would live on while the next one maps)
            polled.parsed = null;
            CompletableFuture<BatchResult> promotion = r.submitAsync(batch);
            inFlight.add(new InFlight(promotion, polled, r.runId()));
        } catch (RuntimeException e) {
            failed(polled.first, e);
        } finally {
            waitingSince = 0;
        }
    }

    /** The records of one poll, parsed and sorted: to the batch, to the retry topic, to dead letters. */
    private Polled assemble(ConsumerRecords<byte[], ByteBuffer> records) {
        Polled polled = new Polled(records.count());
        long now = System.currentTimeMillis();
        for (TopicPartition tp : records.partitions()) {
            boolean retries = tp.topic().equals(settings.retryTopic());
            for (ConsumerRecord<byte[], ByteBuffer> r : records.records(tp)) {
                int attempt = retries ? intHeader(r, "ferry.attempt", 0) : 0;
                if (retries) {
                    long due = longHeader(r, "ferry.due", 0);
                    if (due > now) { // not due: this retry partition waits here; later records are due later still
                        consumer.seek(tp, r.offset());
                        consumer.pause(List.of(tp));
                        waitingRetries.put(tp, new long[] { due, r.timestamp() });
                        break;
                    }
                }
                polled.first.putIfAbsent(tp, r.offset());
                polled.next.put(tp, r.offset() + 1);
                JsonNode record;
                try {
                    record = settings.format().parse(r.value());
                } catch (IllegalArgumentException e) {
                    polled.unreadable.add(Unreadable.of(r, e.getMessage(), e.getClass().getName()));
                    continue;
                }
                String notReady = retryGate.active() && settings.retryTopic() != null ? retryGate.notReady(record) : null;
                if (notReady == null) {
                    polled.parsed.add(record);
                } else if (attempt < settings.maxAttempts()) {
                    polled.requeued.add(requeue(r, retries, attempt + 1, notReady, now));
                } else {
                    polled.unreadable.add(Unreadable.of(r, "retries exhausted after " + attempt + " attempts: " + notReady,
                            "dev.ferry.mapping.RecordRejectedException"));
                }
            }
        }
        polled.where = describe(polled.first, polled.next);
        return polled;
    }

    /**
     * Takes the outcomes of the batches in flight, oldest first: those already known, or (wait) all of them. A promoted
     * batch records its dead letters, commits its offsets to Kafka and runs the route's steps; a failed one marks
     * where its partitions rewind to.
     */
    private void collect(boolean wait) {
        if (wait && !inFlight.isEmpty()) {
            waitingSince = System.nanoTime();
        }
        try {
            collectInOrder(wait);
        } finally {
            waitingSince = 0;
        }
    }

    private void collectInOrder(boolean wait) {
        while (!inFlight.isEmpty() && (wait || inFlight.peek().promotion.isDone())) {
            InFlight b = inFlight.poll();
            BatchResult result;
            try {
                result = b.promotion.join();
            } catch (CompletionException e) {
                failed(b.polled.first, e.getCause() instanceof RuntimeException re ? re : e);
                continue;
            }
            try {
                promoted(b.polled, b.runId, result);
            } catch (RuntimeException e) {
                failed(b.polled.first, e);
            }
        }
    }

    private void promoted(Polled polled, long runId, BatchResult result) {
        promotedBatches.incrementAndGet();
        if (!polled.unreadable.isEmpty()) {
            deadLetters.addSourceRejections(settings.integration(), runId, result.batchId(), rejections(polled.unreadable));
        }
        // only what MySQL committed goes to Kafka: a position the promotion refused (a mismatch earlier in the run, a
        // move backwards) must not move the group's offset either — with no MySQL position yet, the consumer would
        // resume from that offset on assignment and never read the refused batch's records again
        Map<TopicPartition, Long> moved = new HashMap<>();
        for (Position p : result.positionsCommitted()) {
            polled.next.entrySet().stream()
                    .filter(e -> KafkaSourceSettings.positionName(e.getKey().topic(), e.getKey().partition()).equals(p.name()))
                    .forEach(e -> {
                        committed.put(e.getKey(), e.getValue());
                        moved.put(e.getKey(), e.getValue());
                    });
        }
        if (paused) {
            LOG.info("ferry-kafka:{}: the database answers again; consumption resumed at {}", settings.integration(), polled.where);
            paused = false;
        }
        failedAttempts = 0;
        commitToKafka(moved);
        afterPromotion.accept(result);
    }

    /** A batch did not promote: the first failure is kept, and its partitions rewind to its first offsets (or earlier). */
    private void failed(Map<TopicPartition, Long> first, RuntimeException e) {
        if (failure == null) {
            failure = e;
        }
        first.forEach((tp, offset) -> rewindTo.merge(tp, offset, Math::min));
    }

    /** Records polled after a failure are not submitted: their partitions rewind to them too. */
    private void rewindLater(ConsumerRecords<byte[], ByteBuffer> records) {
        for (TopicPartition tp : records.partitions()) {
            rewindTo.merge(tp, records.records(tp).get(0).offset(), Math::min);
        }
    }

    /** After a failure: waits for the batches still in flight (abandoned by the run, or promoting before it), then pauses. */
    private void recover() {
        collect(true);
        RuntimeException e = failure;
        Map<TopicPartition, Long> rewind = new HashMap<>(rewindTo);
        failure = null;
        rewindTo.clear();
        outage(e, rewind);
    }

    /** The record as it goes to the retry topic: the original value and key, the attempt, when it is due, where it came from. */
    private ProducerRecord<byte[], byte[]> requeue(ConsumerRecord<byte[], ByteBuffer> r, boolean fromRetryTopic, int attempt, String reason, long now) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(settings.retryTopic(), r.key(), bytes(r.value()));
        header(out, "ferry.attempt", Integer.toString(attempt));
        header(out, "ferry.due", Long.toString(now + settings.retryDelay().toMillis()));
        header(out, "ferry.integration", settings.integration());
        header(out, "ferry.reason", reason);
        header(out, "ferry.source.topic", fromRetryTopic ? stringHeader(r, "ferry.source.topic") : r.topic());
        header(out, "ferry.source.partition", fromRetryTopic ? stringHeader(r, "ferry.source.partition") : Integer.toString(r.partition()));
        header(out, "ferry.source.offset", fromRetryTopic ? stringHeader(r, "ferry.source.offset") : Long.toString(r.offset()));
        LOG.info("ferry-kafka:{}: {}-{}@{} is not ready ({}): retry {} of {} in {}", settings.integration(), r.topic(), r.partition(),
                r.offset(), reason, attempt, settings.maxAttempts(), settings.retryDelay());
        return out;
    }

    private void send(List<ProducerRecord<byte[], byte[]>> out) {
        if (out.isEmpty()) {
            return;
        }
        try {
            for (ProducerRecord<byte[], byte[]> r : out) {
                producer.send(r);
            }
            producer.flush();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the retry topic " + settings.retryTopic() + " cannot be written: " + e.getMessage(), e);
        }
    }

    /** Resumes retry partitions whose waiting record is due. */
    private void resumeDueRetries() {
        if (waitingRetries.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<TopicPartition> due = new ArrayList<>();
        waitingRetries.forEach((tp, w) -> {
            if (w[0] <= now) {
                due.add(tp);
            }
        });
        due.forEach(waitingRetries::remove);
        due.retainAll(consumer.assignment());
        due.removeAll(unsought);
        if (!paused && !held && !due.isEmpty()) {
            consumer.resume(due);
        }
    }

    /** Age of the oldest retry waiting to be due, in ms (0 when none waits). */
    public long oldestRetryAgeMillis() {
        long now = System.currentTimeMillis();
        return waitingRetries.values().stream().mapToLong(w -> Math.max(0, now - w[1])).max().orElse(0);
    }

    /** A copy of a value: what leaves the poll (retry and dead-letter records) must not hold the fetched buffer. */
    private static byte[] bytes(ByteBuffer value) {
        if (value == null) {
            return null;
        }
        byte[] out = new byte[value.remaining()];
        value.duplicate().get(out);
        return out;
    }

    private static String stringHeader(ConsumerRecord<byte[], ByteBuffer> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int intHeader(ConsumerRecord<byte[], ByteBuffer> r, String name, int otherwise) {
        return (int) longHeader(r, name, otherwise);
    }

    private static long longHeader(ConsumerRecord<byte[], ByteBuffer> r, String name, long otherwise) {
        try {
            String v = stringHeader(r, name);
            return v == null ? otherwise : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private SyncRun currentRun() {
        if (run == null) {
            String topics = String.join(",", settings.topics());
            // the ledger's window column holds 64 characters; the run's batches name their partitions in full
            run = pipeline.startRun(new RunRequest("stream", topics.length() > 64 ? topics.substring(0, 61) + "..." : topics, null, false));
        }
        return run;
    }

    /**
     * A batch did not promote: the database (or a lookup table) is down, or the data made the pipeline fail as
     * a whole. Nothing is dead-lettered: the partitions rewind to the first offsets no promoted batch covers, the run
     * is marked failed, and the loop waits and polls the same messages again (a new run starts with the next good batch).
     */
    private void outage(RuntimeException e, Map<TopicPartition, Long> first) {
        if (!paused) {
            LOG.warn("ferry-kafka:{}: promotion failed ({}); pausing consumption and retrying every {} — nothing is dead-lettered",
                    settings.integration(), e.getMessage(), settings.outageBackoff());
        }
        paused = true;
        failedAttempts++;
        outageFailures.incrementAndGet();
        endRun(e);
        Set<TopicPartition> assigned = consumer.assignment();
        first.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
                waitingRetries.remove(tp); // a retry partition rewound before its waiting record: it is read again
            }
        });
        consumer.pause(assigned);
        // doubles per failed attempt up to a minute (or the configured wait, if longer): each attempt is a FAILED run row
        long wait = Math.min(settings.outageBackoff().toMillis() << Math.min(failedAttempts - 1, 10),
                Math.max(settings.outageBackoff().toMillis(), 60_000));
        pollPaused(wait);
        // the next attempt only once the server answers: an attempt against a server that is down waits the pool's
        // connection timeout (ferry.db.connection-timeout) and leaves one more FAILED run row
        boolean told = false;
        while (running && !database.answers()) {
            if (!told) {
                LOG.info("ferry-kafka:{}: the database does not answer yet; the next attempt waits until it does", settings.integration());
                told = true;
            }
            pollPaused(Math.min(settings.outageBackoff().toMillis(), 5_000));
        }
        resumeAll();
    }

    /** Polls (every partition paused) for a while: keeps this member in the group (max.poll.interval) and runs rebalance callbacks. */
    private void pollPaused(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        while (running && System.nanoTime() < until) {
            consumer.poll(Duration.ofMillis(Math.min(200, Math.max(1, settings.outageBackoff().toMillis()))));
            checkLag(); // the backlog grows during an outage: that is when the alert matters
        }
    }

    /** Resumes every assigned partition but those still waiting: unsought ones and retry partitions not due yet. */
    private void resumeAll() {
        if (held) {
            return; // an operator's pause set while a failure was handled: it holds
        }
        Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
        resume.removeAll(unsought);
        resume.removeAll(waitingRetries.keySet());
        consumer.resume(resume);
    }

    /**
     * An operator's pause (ferry_pause, any replica) holds the stream, checked about once a second: the open run ends,
     * every partition is paused (the loop keeps polling, so this member stays in its group) and nothing is written —
     * no run rows while it holds, unlike a trigger that is skipped. When the pause is lifted, consumption resumes
     * where it stopped. A batch already polled when the pause is set still promotes.
     */
    private void checkOperatorPause() {
        long now = System.nanoTime();
        // while promotion fails the database is down: the next attempt finds out when it answers (a pause check would
        // only wait for a pool connection as long again)
        if (paused || now - lastPauseCheck < PAUSE_CHECK_NANOS) {
            return;
        }
        lastPauseCheck = now;
        Optional<PauseStore.Pause> pause;
        try {
            pause = pauses.get(settings.integration());
        } catch (RuntimeException e) {
            LOG.debug("ferry-kafka:{}: the pause cannot be read ({}); the next batch finds out whether the database answers",
                    settings.integration(), e.getMessage());
            return;
        }
        if (pause.isPresent() && !held) {
            collect(true); // the batches already submitted promote first
            if (failure != null) {
                return; // one of them failed: handled as an outage first, the pause is seen once the database answers
            }
            held = true;
            endRun(null);
            consumer.pause(consumer.assignment());
            PauseStore.Pause p = pause.get();
            LOG.info("ferry-kafka:{}: paused by {} ({}): consumption holds until the integration is resumed", settings.integration(),
                    p.pausedBy(), p.reason() == null ? "no reason given" : p.reason());
        } else if (pause.isEmpty() && held) {
            held = false;
            if (!paused) {
                resumeAll();
            }
            LOG.info("ferry-kafka:{}: resumed by an operator: consumption goes on", settings.integration());
        }
    }

    private void endRun(RuntimeException failure) {
        if (run == null) {
            return;
        }
        try {
            if (failure != null) {
                run.fail(failure);
            } else {
                run.complete();
            }
        } catch (RuntimeException e) {
            LOG.debug("ferry-kafka:{}: run {} could not be closed: {}", settings.integration(), run.runId(), e.getMessage());
        } finally {
            try {
                run.close();
            } catch (RuntimeException ignored) {
                // the database may still be down; the run row stays RUNNING until housekeeping
            }
            run = null;
        }
    }

    /**
     * Offsets promoted since the last commit to Kafka. Kafka's offsets are only for lag tools, so they are committed at
     * most once per {@link #KAFKA_COMMIT_NANOS} (one request per batch was ~1 % of the loop's CPU, plus the broker's work,
     * for a figure only lag tools read), and at once before partitions are handed over or the loop stops.
     */
    private void commitToKafka(Map<TopicPartition, Long> next) {
        next.forEach((tp, n) -> toCommit.merge(tp, n, Math::max));
        commitToKafkaIfDue();
    }

    private void commitToKafkaIfDue() {
        if (!toCommit.isEmpty() && (rebalancing || System.nanoTime() - lastKafkaCommit >= KAFKA_COMMIT_NANOS)) {
            flushKafkaCommits();
        }
    }

    private void flushKafkaCommits() {
        if (toCommit.isEmpty()) {
            return;
        }
        lastKafkaCommit = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Set<TopicPartition> assigned = consumer.assignment();
        toCommit.forEach((tp, n) -> {
            if (assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(n));
            }
        });
        toCommit.clear();
        if (offsets.isEmpty()) {
            return;
        }
        // for lag tools only: MySQL is the truth, so a failed commit is logged, never retried
        if (rebalancing) { // the partitions are about to be handed over: commit before they go
            try {
                consumer.commitSync(offsets, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("ferry-kafka:{}: offsets not committed to Kafka (MySQL has them): {}", settings.integration(), e.getMessage());
            }
            return;
        }
        consumer.commitAsync(offsets, (o, e) -> {
            if (e != null) {
                LOG.debug("ferry-kafka:{}: offsets not committed to Kafka (MySQL has them): {}", settings.integration(), e.getMessage());
            }
        });
    }

    private void publishDeadLetters(List<Unreadable> unreadable) {
        if (unreadable.isEmpty()) {
            return;
        }
        for (Unreadable u : unreadable) {
            LOG.warn("ferry-kafka:{}: {}-{}@{} cannot be read ({}): dead letter", settings.integration(), u.topic,
                    u.partition, u.offset, u.reason);
        }
        if (settings.deadLetterTopic() == null) {
            return;
        }
        try {
            for (Unreadable u : unreadable) {
                ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(settings.deadLetterTopic(), u.key, u.value);
                boolean retried = u.topic.equals(settings.retryTopic()); // name where the record came from first
                header(out, "ferry.source.topic", retried ? u.originTopic : u.topic);
                header(out, "ferry.source.partition", retried ? u.originPartition : Integer.toString(u.partition));
                header(out, "ferry.source.offset", retried ? u.originOffset : Long.toString(u.offset));
                header(out, "ferry.integration", settings.integration());
                header(out, "ferry.reason", u.reason);
                header(out, "ferry.exception", u.exceptionClass);
                producer.send(out);
            }
            producer.flush();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the dead-letter topic " + settings.deadLetterTopic() + " cannot be written: " + e.getMessage(), e);
        }
    }

    private static void header(ProducerRecord<byte[], byte[]> r, String name, String value) {
        r.headers().add(name, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<DeadLetterStore.Rejection> rejections(List<Unreadable> unreadable) {
        List<DeadLetterStore.Rejection> out = new ArrayList<>();
        for (Unreadable u : unreadable) {
            out.add(new DeadLetterStore.Rejection(u.topic + "-" + u.partition + "@" + u.offset, 0, "value",
                    u.topic + "-" + u.partition + "@" + u.offset + ": " + u.reason,
                    u.value == null ? "" : new String(u.value, StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static String describe(Map<TopicPartition, Long> first, Map<TopicPartition, Long> next) {
        StringBuilder sb = new StringBuilder();
        first.forEach((tp, f) -> sb.append(sb.length() == 0 ? "" : ", ").append(tp.topic()).append('-').append(tp.partition())
                .append('@').append(f).append('-').append(next.get(tp) - 1));
        return sb.toString();
    }

    /** Seeks partitions assigned while the database was down, once it answers. */
    private void seekUnsought() {
        if (unsought.isEmpty()) {
            return;
        }
        Set<TopicPartition> done = new HashSet<>();
        for (TopicPartition tp : unsought) {
            if (!consumer.assignment().contains(tp) || seek(tp)) {
                done.add(tp);
            }
        }
        unsought.removeAll(done);
        done.retainAll(consumer.assignment());
        if (!paused && !held) {
            consumer.resume(done);
        }
    }

    /** Seeks one partition to its offset in MySQL (none yet: the reset policy applies). False when MySQL cannot be read. */
    private boolean seek(TopicPartition tp) {
        Optional<Position> position;
        try {
            position = pipeline.position(KafkaSourceSettings.positionName(tp.topic(), tp.partition()));
        } catch (RuntimeException e) {
            LOG.warn("ferry-kafka:{}: the offset of {} cannot be read from the database ({}); the partition waits",
                    settings.integration(), tp, e.getMessage());
            return false;
        }
        if (position.isPresent()) {
            long offset = Long.parseLong(position.get().value());
            consumer.seek(tp, offset);
            committed.put(tp, offset);
            LOG.info("ferry-kafka:{}: {} assigned, resumes at offset {} (from MySQL)", settings.integration(), tp, offset);
        } else {
            LOG.info("ferry-kafka:{}: {} assigned, no offset in MySQL yet: starts per auto.offset.reset", settings.integration(), tp);
        }
        return true;
    }

    /** Measures lag per partition (end offset − next offset committed in MySQL) and raises an ALERT above the threshold. */
    private void checkLag() {
        long now = System.nanoTime();
        if (now - lastLagCheck < settings.lagCheckInterval().toNanos()) {
            return;
        }
        lastLagCheck = now;
        long retryAge = oldestRetryAgeMillis();
        if (!settings.retryAgeThreshold().isZero() && retryAge > settings.retryAgeThreshold().toMillis()) {
            Alerts.raise(Alerts.Level.WARNING, settings.integration(), "kafka-retry-age", "the oldest retry has waited " + retryAge
                    + " ms, above the threshold of " + settings.retryAgeThreshold().toMillis() + " ms");
        }
        Set<TopicPartition> assigned = consumer.assignment();
        lag.keySet().retainAll(assigned);
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(assigned, Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("ferry-kafka:{}: end offsets not read: {}", settings.integration(), e.getMessage());
            return;
        }
        ends.forEach((tp, end) -> {
            long from = committed.getOrDefault(tp, beginning(tp));
            long l = Math.max(0, end - from);
            lag.put(tp, l);
            if (settings.lagThreshold() > 0 && l > settings.lagThreshold()) {
                Alerts.raise(Alerts.Level.WARNING, settings.integration(), "kafka-lag", "backlog of " + l + " messages on " + tp
                        + " is above the threshold of " + settings.lagThreshold());
            }
        });
        lagListener.accept(Map.copyOf(lag));
    }

    private long beginning(TopicPartition tp) {
        try {
            return consumer.beginningOffsets(List.of(tp), Duration.ofSeconds(5)).getOrDefault(tp, 0L);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /**
     * Seeks newly assigned partitions to their MySQL offsets. On revocation the batches in flight are waited for
     * (a rebalance happens only inside a poll, on this thread): they promote with their offsets — or fail, and the
     * partitions kept rewind — before the revoked partitions' next owner reads MySQL.
     */
    private final class SeekToMySqlOffsets implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            rebalancing = true;
            try {
                collect(true);
                flushKafkaCommits(); // what earlier batches promoted, before the partitions go
            } finally {
                rebalancing = false;
            }
            partitions.forEach(rewindTo::remove); // their next owner starts from MySQL's offsets
            partitions.forEach(committed::remove);
            partitions.forEach(waitingRetries::remove);
            assigned.removeAll(partitions);
            unsought.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            for (TopicPartition tp : partitions) {
                if (!seek(tp)) {
                    unsought.add(tp);
                }
            }
            if (!unsought.isEmpty()) {
                consumer.pause(unsought);
            }
            if (paused || held) {
                consumer.pause(partitions);
            }
        }
    }

    /**
     * A message for the dead letters, copied out of the poll (its value and the origin headers of a retried one): it
     * waits for its batch's promotion, and a view of the fetched bytes would keep the whole fetch buffer meanwhile.
     */
    private record Unreadable(String topic, int partition, long offset, byte[] key, byte[] value, String originTopic,
                              String originPartition, String originOffset, String reason, String exceptionClass) {
        static Unreadable of(ConsumerRecord<byte[], ByteBuffer> r, String reason, String exceptionClass) {
            return new Unreadable(r.topic(), r.partition(), r.offset(), r.key(), bytes(r.value()), stringHeader(r, "ferry.source.topic"),
                    stringHeader(r, "ferry.source.partition"), stringHeader(r, "ferry.source.offset"), reason, exceptionClass);
        }
    }

    /** What one poll gave: the records for the batch, requeued and unreadable ones, the offsets it covers. */
    private static final class Polled {
        /** Null once submitted. */
        List<JsonNode> parsed;
        final List<Unreadable> unreadable = new ArrayList<>();
        final List<ProducerRecord<byte[], byte[]>> requeued = new ArrayList<>();
        final Map<TopicPartition, Long> first = new LinkedHashMap<>();
        final Map<TopicPartition, Long> next = new LinkedHashMap<>();
        String where;

        Polled(int size) {
            parsed = new ArrayList<>(size);
        }

        List<Position> positions() {
            List<Position> out = new ArrayList<>();
            next.forEach((tp, n) -> out.add(Position.sequence(KafkaSourceSettings.positionName(tp.topic(), tp.partition()), n)));
            return out;
        }
    }

    /** A submitted batch and its promotion, pending. */
    private record InFlight(CompletableFuture<BatchResult> promotion, Polled polled, long runId) {
    }
}
