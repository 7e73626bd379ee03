package dev.ferry.pipeline;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Ferry;
import dev.ferry.devservices.BenchRecords;
import dev.ferry.devservices.EmbeddedMariaDb;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.FerryTestSupport.freshDatabase;

/**
 * The database's share of a first load and a steady-state re-pull, batch by batch on one thread (issue 13: "measure
 * each statement's cost first"): the batches go through {@link SyncRun#submit} one after another, so the mysqld CPU
 * used while each statement ran (the sum of its threads' run time) belongs to that statement, whatever else shares
 * the cores (wall times do not: other builds steal the cores). Not a benchmark of the whole path (see PipelineBenchmark):
 * the records are generated and parsed before each run, so the JVM's mapping is not what is measured.
 * <pre>
 * mvn -q -o test-compile exec:java -Dexec.mainClass=dev.ferry.pipeline.DbWorkProfile -Dexec.classpathScope=test \
 *     [-Dbench.records=100000] [-Dbench.batch=5000] [-Dbench.db-ssl=DISABLED]
 * </pre>
 */
public final class DbWorkProfile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long records = Long.getLong("bench.records", 100_000);
    private final int batch = Integer.getInteger("bench.batch", 5_000);
    private long mysqldPid = -1;
    private final StatementCpu cpu = new StatementCpu();

    public static void main(String[] args) throws Exception {
        new DbWorkProfile().run();
        System.exit(0);
    }

    void run() throws Exception {
        EmbeddedMariaDb.get();
        mysqldPid = EmbeddedMariaDb.serverPid();
        Path mappings = Path.of("src/test/resources/bench/mappings").toAbsolutePath();
        // -Dbench.db-ssl=DISABLED: the same without TLS (the embedded server's bundled wolfSSL costs mysqld per byte)
        java.util.Map<String, String> settings = System.getProperty("bench.db-ssl") == null ? java.util.Map.of()
                : java.util.Map.of("ferry.db.ssl-mode", System.getProperty("bench.db-ssl"));
        try (Ferry ferry = Ferry.start(freshDatabase("dbwork_profile", mappings, settings,
                "CREATE TABLE bench_target (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(32), name VARCHAR(64), qty INT, "
                        + "price DECIMAL(12,2), amount DECIMAL(14,2), status VARCHAR(16), created DATETIME, modified DATETIME, "
                        + "note VARCHAR(64)) ENGINE=InnoDB"));
             Connection c = ferry.dataSource().getConnection()) {
            JdbcIntegrationPipeline pipeline = new JdbcIntegrationPipeline(timing(ferry.dataSource()),
                    ferry.pipeline("bench-records").target(), null, true);
            BenchRecords bench = new BenchRecords(records, Clock.systemUTC());
            pull(c, pipeline, bench, "first load");
            for (long i = 0; i < records / 20; i++) {
                bench.revise(i * 20 + 7);
            }
            bench.grow(records / 20);
            pull(c, pipeline, bench, "steady state");
        }
    }

    private void pull(Connection c, JdbcIntegrationPipeline pipeline, BenchRecords bench, String scenario) throws Exception {
        List<List<JsonNode>> batches = new ArrayList<>();
        for (long from = 0; from < bench.total(); from += batch) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator g = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartArray();
                bench.write(g, from, Math.min(bench.total(), from + batch));
                g.writeEndArray();
            }
            List<JsonNode> page = new ArrayList<>();
            JSON.readTree(out.toByteArray()).forEach(page::add);
            batches.add(page);
        }
        cpu.reset();
        long written0 = rowsWritten(c);
        double db0 = dbCpu();
        long t0 = System.nanoTime();
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            for (int b = 0; b < batches.size(); b++) {
                run.submit(batches.get(b), null, "page " + b);
            }
            run.complete();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double db = dbCpu() - db0;
        long written = rowsWritten(c) - written0;
        System.out.printf("%n== %s: %,d records in %.2f s, mysqld CPU %.2f s = %.1f µs/record, rows written %,d%n", scenario,
                bench.total(), seconds, db, db * 1e6 / bench.total(), written);
        cpu.print(bench.total());
    }

    /** Sums mysqld's CPU time per statement kind: the batches run on one thread, so what the server did meanwhile is that statement's. */
    private final class StatementCpu {
        final java.util.Map<String, double[]> byKind = new java.util.LinkedHashMap<>();

        void reset() {
            byKind.clear();
        }

        Object timed(String sql, java.util.concurrent.Callable<Object> call) throws Throwable {
            long before = mysqldNanos();
            try {
                return call.call();
            } finally {
                double[] t = byKind.computeIfAbsent(kind(sql), k -> new double[2]);
                t[0] += (mysqldNanos() - before) / 1e9;
                t[1]++;
            }
        }

        void print(long records) {
            System.out.println("   mysqld µs/record  statements  statement");
            byKind.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).limit(14)
                    .forEach(e -> System.out.printf("   %16.2f %11.0f  %s%n", e.getValue()[0] * 1e6 / records, e.getValue()[1], e.getKey()));
        }

        private String kind(String sql) {
            String s = sql.replaceAll("\\s+", " ").replaceAll("ferry-batch-[0-9]+", "ferry-batch-N").trim();
            return s.length() > 150 ? s.substring(0, 150) : s;
        }
    }

    private long mysqldNanos() {
        return EmbeddedMariaDb.cpuNanos(mysqldPid);
    }

    private javax.sql.DataSource timing(javax.sql.DataSource ds) {
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{javax.sql.DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(ds, method, args);
                    return result instanceof Connection c ? timingConnection(c) : result;
                });
    }

    private Connection timingConnection(Connection c) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        return cpu.timed("COMMIT", () -> {
                            c.commit();
                            return null;
                        });
                    }
                    Object result = invoke(c, method, args);
                    if (result instanceof java.sql.PreparedStatement ps && args != null && args[0] instanceof String sql) {
                        return timingStatement(ps, java.sql.PreparedStatement.class, sql);
                    }
                    if (result instanceof Statement st && method.getName().equals("createStatement")) {
                        return timingStatement(st, Statement.class, null);
                    }
                    return result;
                });
    }

    private Object timingStatement(Statement st, Class<?> type, String preparedSql) {
        return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : preparedSql;
                return cpu.timed(sql, () -> {
                    try {
                        return invoke(st, method, args);
                    } catch (Throwable t) {
                        throw t instanceof Exception e ? e : new RuntimeException(t);
                    }
                });
            }
            return invoke(st, method, args);
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private double dbCpu() {
        return EmbeddedMariaDb.cpuSeconds(mysqldPid);
    }

    private static long rowsWritten(Connection c) throws SQLException {
        return EmbeddedMariaDb.rowsWritten(c);
    }
}
