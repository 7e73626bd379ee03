package dev.ferry.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.devservices.BenchRecords;
import dev.ferry.devservices.EmbeddedKafka;
import dev.ferry.devservices.EmbeddedMariaDb;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kafka benchmark (issue 8, "Speed"): {@code bench.records} (1,000,000) JSON messages on a topic of the embedded
 * KRaft broker, and in the same run:
 * <ol>
 *   <li><b>Kafka consumer</b>: Kafka's own client just reading the topic (assign + seek to the beginning, no group) —
 *   what Ferry adds over reading;</li>
 *   <li><b>Ferry</b>: {@code ferry-kafka:kafka-bench} in its own {@code -Xmx256m} JVM ({@link KafkaBenchChild},
 *   camel-main as deployed): poll → map → dedupe → stage (LOAD DATA) → promote with the offsets → kbench_target;</li>
 *   <li><b>LOAD DATA</b>: the same rows as a TSV file, {@code LOAD DATA LOCAL INFILE} into kbench_load — the ceiling;</li>
 *   <li><b>stock Camel route</b>: camel-kafka → Jackson → aggregate (batch) → {@code sql:} batched upsert into
 *   kbench_camel with Connector/J's {@code rewriteBatchedStatements} (multi-row INSERTs) — its best case. The upsert is
 *   {@code INSERT … VALUES … ON DUPLICATE KEY UPDATE c = VALUES(c)}: MySQL 8 still runs it (deprecated since 8.0.20);
 *   the row alias {@code AS new} that replaces it is not parsed by the MariaDB this runs on. {@code -Dbench.camel-upsert=derived}
 *   uses the form free of both ({@code INSERT … SELECT * FROM (SELECT ? AS c …) s ON DUPLICATE KEY UPDATE c = s.c}),
 *   which the driver cannot rewrite into multi-row statements (one statement and commit per row).</li>
 * </ol>
 * Each time runs from the first message in hand to the last row committed: Ferry's from its ledger (the run
 * opens at the first poll that returned messages; the last batch's promotion time), the others measured in
 * this JVM. Prints rows/s and the ratios; exits 0 whatever they are, 1 if rows are missing or differ. Also the CPU
 * seconds each path used — this JVM (which hosts the broker, so every path's includes serving the topic), Ferry's JVM,
 * mysqld (its threads' run time) — and the CPU per record, the figure other processes sharing the cores distort
 * least. Ferry's CPU is taken from its first promoted batch to its last (its JVM's start-up and migrations are not
 * the pipeline's cost), over the records promoted in between.
 * <pre>
 * mvn -q test-compile exec:java@kafka-bench [-Dbench.records=1000000] [-Dbench.batch=5000] [-Dbench.partitions=4]
 *     [-Dbench.camel=false] [-Dbench.camel-upsert=values|derived] [-Dbench.jfr=true (Ferry's JVM → target/kafka-bench.jfr)] [-Dbench.jfr.settings=profile|<file.jfc>]
 *     [-Dbench.ferry-jvm-args="..." (more options for Ferry's JVM)]
 * </pre>
 */
public final class KafkaBenchmark {

    static final String COLUMNS = "id, code, name, qty, price, amount, status, created, modified, note";
    private static final String[] FIELDS = COLUMNS.split(", ");
    private static final String TOPIC = "kafka-bench";

    private final long records = Long.getLong("bench.records", 1_000_000);
    private final int batch = Integer.getInteger("bench.batch", 5000);
    private final int partitions = Integer.getInteger("bench.partitions", 4);
    private final boolean camelRoute = Boolean.parseBoolean(System.getProperty("bench.camel", "true"));
    private final boolean derivedUpsert = "derived".equals(System.getProperty("bench.camel-upsert", "values"));
    private long mysqldPid = -1;
    /** CPU seconds per path: {this JVM, Ferry's JVM, mysqld, records counted}. */
    private final Map<String, double[]> cpu = new java.util.LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                System.setProperty(a.substring(0, eq).replaceFirst("^-D", ""), a.substring(eq + 1));
            }
        }
        int exit;
        try {
            exit = new KafkaBenchmark().run();
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 2;
        }
        System.exit(exit);
    }

    int run() throws Exception {
        step("Starting the embedded MariaDB and the embedded Kafka broker (KRaft)");
        String url = EmbeddedMariaDb.get().createDatabase("ferry_kafka_bench");
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            for (String table : new String[] { "kbench_target", "kbench_load", "kbench_camel" }) {
                s.execute("CREATE TABLE " + table + " (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(32), name VARCHAR(64), "
                        + "qty INT, price DECIMAL(12,2), amount DECIMAL(14,2), status VARCHAR(16), created DATETIME, "
                        + "modified DATETIME, note VARCHAR(64)) ENGINE=InnoDB");
            }
        }
        EmbeddedKafka kafka = EmbeddedKafka.get();
        kafka.createTopic(TOPIC, partitions);
        mysqldPid = EmbeddedMariaDb.serverPid();

        step("Producing " + records + " JSON messages (BenchRecords) to " + TOPIC + " (" + partitions
                + " partitions, keyed by id) and the same rows to a TSV file");
        Path tsv = Files.createTempFile("ferry-kafka-bench-", ".tsv");
        long t0 = System.nanoTime();
        long bytes = produce(kafka, tsv);
        System.out.printf("   %,d messages, %.1f MB of values, in %.1f s (not counted)%n", records, bytes / 1e6, seconds(t0));

        try (Connection c = connect(url)) {
            // ------------------------------------------------------------------------- Kafka's own consumer
            step("Kafka consumer: reading the topic (max.poll.records = " + batch + ")");
            double[] cpu0 = cpuNow(null);
            double readSeconds = readTopic(kafka);
            cpuSince("Kafka consumer, reading only", cpu0, null, records);
            System.out.printf("   %.2f s%n", readSeconds);

            // ------------------------------------------------------------------------- Ferry
            step("Ferry: ferry-kafka:kafka-bench in a -Xmx256m JVM, batchSize = " + batch);
            double[] ferry = runFerry(kafka, url, c);
            double ferrySeconds = ferry[0];
            long ferryRows = count(c, "SELECT COUNT(*) FROM kbench_target");
            System.out.printf("   %.2f s from the run's start (first poll with messages) to the last batch's promotion; %d batches%n",
                    ferrySeconds, (long) ferry[1]);

            // ------------------------------------------------------------------------- LOAD DATA
            step("LOAD DATA LOCAL INFILE of the same rows into kbench_load");
            double loadSeconds;
            try (Connection lc = DriverManager.getConnection(url + "?allowLoadLocalInfile=true", EmbeddedMariaDb.USER,
                    EmbeddedMariaDb.PASSWORD); Statement s = lc.createStatement()) {
                t0 = System.nanoTime();
                cpu0 = cpuNow(null);
                s.execute("LOAD DATA LOCAL INFILE '" + tsv.toAbsolutePath() + "' INTO TABLE kbench_load CHARACTER SET utf8mb4 "
                        + "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + COLUMNS + ")");
                loadSeconds = seconds(t0);
                cpuSince("LOAD DATA LOCAL INFILE", cpu0, null, records);
            } finally {
                Files.deleteIfExists(tsv);
            }
            long loadRows = count(c, "SELECT COUNT(*) FROM kbench_load");
            System.out.printf("   %.2f s%n", loadSeconds);

            // ------------------------------------------------------------------------- stock Camel route
            double camelSeconds = Double.NaN;
            long camelRows = 0;
            if (camelRoute) {
                step("Stock Camel route: camel-kafka → Jackson → aggregate(" + batch + ") → sql: batched upsert into kbench_camel ("
                        + (derivedUpsert ? "derived-table form, one statement per row" : "VALUES() form, rewriteBatchedStatements") + ")");
                cpu0 = cpuNow(null);
                camelSeconds = runCamelRoute(kafka, url);
                cpuSince("stock Camel route (kafka → aggregate → sql: batch upsert)", cpu0, null, records);
                camelRows = count(c, "SELECT COUNT(*) FROM kbench_camel");
                System.out.printf("   %.2f s%n", camelSeconds);
            }

            step("Checking the tables hold the same rows");
            String same = String.join(" AND ", List.of(FIELDS).stream().map(f -> "a." + f + " <=> b." + f).toList());
            long ferryDiff = count(c, "SELECT COUNT(*) FROM kbench_load a LEFT JOIN kbench_target b ON b.id = a.id WHERE NOT (" + same + ")");
            long camelDiff = camelRoute
                    ? count(c, "SELECT COUNT(*) FROM kbench_load a LEFT JOIN kbench_camel b ON b.id = a.id WHERE NOT (" + same + ")") : 0;
            System.out.printf("   kbench_target vs kbench_load: %d rows differ or missing; kbench_camel vs kbench_load: %s%n",
                    ferryDiff, camelRoute ? Long.toString(camelDiff) : "(not run)");

            report(readSeconds, ferrySeconds, loadSeconds, camelSeconds);
            boolean ok = ferryRows == records && loadRows == records && ferryDiff == 0
                    && (!camelRoute || (camelRows == records && camelDiff == 0));
            System.out.println(ok ? "\nBENCHMARK OK: every row landed, identical to LOAD DATA's (the ratios are a measurement, not a pass/fail)."
                    : "\nBENCHMARK FAILED: rows missing or different, see above.");
            return ok ? 0 : 1;
        }
    }

    /** Sends the records as JSON values keyed by id; writes the same rows (parsed back from each value) as TSV. */
    private long produce(EmbeddedKafka kafka, Path tsv) throws IOException {
        BenchRecords bench = new BenchRecords(records, Clock.systemUTC());
        JsonFactory factory = new JsonFactory();
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024)), new StringSerializer(), new ByteArraySerializer());
             Writer out = new BufferedWriter(Files.newBufferedWriter(tsv, StandardCharsets.UTF_8), 1 << 20)) {
            for (long i = 0; i < records; i++) {
                buf.reset();
                try (JsonGenerator g = factory.createGenerator(buf, JsonEncoding.UTF8)) {
                    bench.write(g, i, i + 1);
                }
                byte[] value = buf.toByteArray();
                bytes += value.length;
                producer.send(new ProducerRecord<>(TOPIC, Long.toString(i), value));
                writeTsvLine(factory, value, out);
            }
            producer.flush();
        }
        return bytes;
    }

    private static void writeTsvLine(JsonFactory factory, byte[] json, Writer out) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            p.nextToken(); // {
            BenchRecords.writeTsvLine(p, out);
        }
    }

    /** Kafka's consumer reading every message (values as strings, as Ferry reads them): seconds from the first to the last. */
    private double readTopic(EmbeddedKafka kafka) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.MAX_POLL_RECORDS_CONFIG, batch, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(TOPIC)) {
                tps.add(new TopicPartition(TOPIC, p.partition()));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long seen = 0;
            long chars = 0;
            long first = 0;
            while (seen < records) {
                var polled = consumer.poll(Duration.ofMillis(500));
                if (!polled.isEmpty() && first == 0) {
                    first = System.nanoTime();
                }
                for (ConsumerRecord<String, String> r : polled) {
                    chars += r.value().length(); // touch every value
                    seen++;
                }
            }
            if (chars == 0) {
                throw new IllegalStateException("no values read");
            }
            return seconds(first);
        }
    }

    /** Runs Ferry in a -Xmx256m child JVM until every offset is in MySQL; returns {seconds, batches}. */
    private double[] runFerry(EmbeddedKafka kafka, String url, Connection c) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("ferry-kafka-bench-child-", ".log");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
        command.addAll(List.of(PipelineBenchmark.SHIPPED_JVM_ARGS.split(" "))); // Ferry's JVM as deployed (the collector its manifests set)
        // -Dbench.ferry-jvm-args="-Xlog:gc*:file=... -XX:..." : more options for Ferry's JVM (GC logs, JIT experiments)
        for (String arg : System.getProperty("bench.ferry-jvm-args", "").trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                command.add(arg);
            }
        }
        if (Boolean.getBoolean("bench.jfr")) { // a profile of Ferry's JVM: where its CPU per record goes
            // -Dbench.jfr.settings=<file.jfc>: e.g. a 1 ms sampling period (the profile's 10 ms gives a few hundred samples)
            command.add("-XX:StartFlightRecording=dumponexit=true,settings=" + System.getProperty("bench.jfr.settings", "profile") + ",filename="
                    + Path.of("target", "kafka-bench.jfr").toAbsolutePath());
        }
        command.addAll(List.of("-cp", classPath(),
                "-Dkbench.db.url=" + url, "-Dkbench.db.user=" + EmbeddedMariaDb.USER, "-Dkbench.db.password=" + EmbeddedMariaDb.PASSWORD,
                "-Dkbench.brokers=" + kafka.bootstrapServers(), "-Dkbench.topic=" + TOPIC, "-Dkbench.batch=" + batch,
                KafkaBenchChild.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        System.out.println("   child JVM pid " + child.pid() + ", log " + log);
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            long offsets0;
            while ((offsets0 = committedOffsets(c)) == 0 && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20); // the first batch promoted: from here on Ferry's CPU is the pipeline's
            }
            double[] cpu0 = cpuNow(child.toHandle());
            while (committedOffsets(c) < records) {
                if (!child.isAlive()) {
                    throw new IllegalStateException("the Ferry JVM exited (" + child.exitValue() + "); see " + log);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Ferry did not finish within 30 minutes; see " + log);
                }
                Thread.sleep(100); // a progress poll of another process, not a test wait
            }
            cpuSince("Ferry (ferry-kafka, -Xmx256m JVM)", cpu0, child.toHandle(), records - offsets0);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(started_at) FROM ferry_run WHERE integration = 'kafka-bench'), "
                            + "MAX(promoted_at)) / 1e6, COUNT(*) FROM ferry_batch WHERE integration = 'kafka-bench' AND status = 'PROMOTED'")) {
                rs.next();
                return new double[] { rs.getDouble(1), rs.getLong(2) };
            }
        } finally {
            child.destroy();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** The offsets Ferry has committed in MySQL, summed over the partitions (0 until its migrations have run). */
    private static long committedOffsets(Connection c) throws SQLException {
        try {
            return count(c, "SELECT COALESCE(SUM(CAST(value AS UNSIGNED)), 0) FROM ferry_source_position WHERE integration = 'kafka-bench'");
        } catch (java.sql.SQLSyntaxErrorException e) {
            return 0; // the child has not created Ferry's tables yet
        }
    }

    /** The stock route in this JVM: seconds from its first message to the last row committed. */
    private double runCamelRoute(EmbeddedKafka kafka, String url) throws Exception {
        AtomicLong first = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicLong last = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        JacksonDataFormat json = new JacksonDataFormat(Map.class);
        json.setEnableFeatures("USE_BIG_DECIMAL_FOR_FLOATS");
        List<String> nonKey = List.of(FIELDS).stream().filter(f -> !f.equals("id")).toList();
        String upsert = derivedUpsert
                ? "INSERT INTO kbench_camel (" + COLUMNS + ") SELECT * FROM (SELECT "
                        + String.join(", ", List.of(FIELDS).stream().map(f -> ":#" + f + " AS " + f).toList()) + ") AS s "
                        + "ON DUPLICATE KEY UPDATE " + String.join(", ", nonKey.stream().map(f -> f + " = s." + f).toList())
                : "INSERT INTO kbench_camel (" + COLUMNS + ") VALUES (" + String.join(", ", List.of(FIELDS).stream().map(f -> ":#" + f).toList())
                        + ") ON DUPLICATE KEY UPDATE " + String.join(", ", nonKey.stream().map(f -> f + " = VALUES(" + f + ")").toList());
        try (HikariDataSource ds = new HikariDataSource(); CamelContext camel = new DefaultCamelContext()) {
            ds.setJdbcUrl(url + "?rewriteBatchedStatements=true");
            ds.setUsername(EmbeddedMariaDb.USER);
            ds.setPassword(EmbeddedMariaDb.PASSWORD);
            ds.setMaximumPoolSize(4);
            camel.getRegistry().bind("benchDs", ds);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kafka:" + TOPIC + "?brokers=" + kafka.bootstrapServers() + "&groupId=camel-kafka-bench&autoOffsetReset=earliest"
                            + "&maxPollRecords=" + batch).routeId("camel-kafka-bench")
                            .process(e -> first.compareAndSet(0, System.nanoTime()))
                            .unmarshal(json)
                            .aggregate(constant(true), new GroupedBodyAggregationStrategy()).completionSize(batch).completionTimeout(500)
                            .to("sql:" + upsert + "?batch=true&dataSource=#benchDs")
                            .process(e -> {
                                long n = written.addAndGet(e.getIn().getBody(List.class).size());
                                if (n >= records) {
                                    last.set(System.nanoTime());
                                    done.countDown();
                                }
                            });
                }
            });
            camel.start();
            if (!done.await(60, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the stock route did not finish within an hour (" + written.get() + " rows)");
            }
            return (last.get() - first.get()) / 1e9;
        }
    }

    /** CPU seconds so far: {this JVM, the child (or 0), mysqld}. */
    private double[] cpuNow(ProcessHandle child) throws IOException {
        return new double[] { cpuSeconds(ProcessHandle.current()), child == null ? 0 : cpuSeconds(child), mysqldCpu() };
    }

    private void cpuSince(String path, double[] before, ProcessHandle child, long counted) throws IOException {
        double[] now = cpuNow(child);
        cpu.put(path, new double[] { now[0] - before[0], now[1] - before[1], now[2] - before[2], counted });
    }

    private static double cpuSeconds(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** CPU seconds of the mysqld this JVM started. */
    private double mysqldCpu() {
        return EmbeddedMariaDb.cpuSeconds(mysqldPid);
    }

    private void report(double readSeconds, double ferrySeconds, double loadSeconds, double camelSeconds) {
        System.out.println();
        System.out.println("CPU per path (s): this JVM (the broker and the in-process clients), Ferry's JVM, mysqld; µs per record counted");
        cpu.forEach((path, v) -> System.out.printf("%-58s %7.1f %7.1f %7.1f  %,10.0f records  %6.1f µs/record%n", path, v[0], v[1], v[2],
                v[3], (v[0] + v[1] + v[2]) * 1e6 / v[3]));
        System.out.println();
        System.out.printf("%-58s %10s %9s %10s%n", "", "rows", "seconds", "rows/s");
        row("Kafka consumer, reading only", readSeconds);
        row("Ferry (ferry-kafka, -Xmx256m JVM)", ferrySeconds);
        row("LOAD DATA LOCAL INFILE", loadSeconds);
        if (!Double.isNaN(camelSeconds)) {
            row("stock Camel route (kafka → aggregate → sql: batch upsert)", camelSeconds);
        }
        System.out.println();
        double vsLoad = loadSeconds / ferrySeconds;
        System.out.printf("Ferry ÷ Kafka consumer = %5.2f   (Ferry's rate as a share of just reading the topic)%n", readSeconds / ferrySeconds);
        System.out.printf("Ferry ÷ LOAD DATA      = %5.2f   goal ≥ 0.5   %s%n", vsLoad, vsLoad >= 0.5 ? "MET" : "NOT MET");
        if (!Double.isNaN(camelSeconds)) {
            double vsCamel = camelSeconds / ferrySeconds;
            System.out.printf("Ferry ÷ stock route    = %5.2f   goal > 1     %s%n", vsCamel, vsCamel > 1 ? "MET" : "NOT MET");
        }
        System.out.printf("(%d cores; peers for scale, other hardware: Kafka Connect JDBC sink ~44k msg/s, Redpanda Connect sql_insert ~64k msg/s)%n",
                Runtime.getRuntime().availableProcessors());
    }

    private void row(String what, double seconds) {
        System.out.printf("%-58s %,10d %9.2f %,10.0f%n", what, records, seconds, records / seconds);
    }

    /** The test class path: exec:java's class loader holds it (java.class.path is Maven's own there). */
    private static String classPath() {
        ClassLoader cl = KafkaBenchmark.class.getClassLoader();
        if (cl instanceof URLClassLoader u && u.getURLs().length > 0) {
            List<String> out = new ArrayList<>();
            for (URL url : u.getURLs()) {
                try {
                    out.add(Path.of(url.toURI()).toString());
                } catch (Exception e) {
                    out.add(url.getPath());
                }
            }
            return String.join(File.pathSeparator, out);
        }
        return System.getProperty("java.class.path");
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void step(String what) {
        System.out.println("\n== " + what);
    }
}
