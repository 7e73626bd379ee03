package dev.ferry.source.binlog;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * An OA employee table in a source database of the embedded MariaDB (binlog on), copied by binlog CDC into Ferry's
 * database: a fresh pair of databases per test, Ferry, and a Camel context running a YAML route
 * {@code debezium-mysql:oa-employees → ferry-binlog:oa-employees}.
 */
abstract class BinlogTestSupport {

    static final String INTEGRATION = "oa-employees";
    static final String MAPPING = """
            integration: oa-employees
            key: "{emp_no}"
            version: binlog_version
            fields:
              emp_no:         { from: row.emp_no, type: int, required: true }
              name:           { from: row.name }
              dept_id:        { from: row.dept_id, type: int }
              salary:         { from: row.salary, type: "decimal(12,2)" }
              hired:          { from: row.hired, type: date }
              binlog_version: { from: version, required: true }
            delete: { when: "op=d", mode: hard }
            target: { table: employee, mode: upsert, matchOn: [emp_no] }
            """;
    static final String SOURCE_TABLE = "CREATE TABLE employee (emp_no INT PRIMARY KEY, name VARCHAR(60) NOT NULL, "
            + "dept_id INT, salary DECIMAL(12,2), hired DATE)";
    static final String TARGET_TABLE = "CREATE TABLE employee (emp_no INT PRIMARY KEY, name VARCHAR(60), dept_id INT, "
            + "salary DECIMAL(12,2), hired DATE, binlog_version VARCHAR(64))";
    /** Each connector is a replica of the server: its own server id. */
    private static final AtomicInteger SERVER_IDS = new AtomicInteger(5400);

    final EmbeddedMariaDb db = EmbeddedMariaDb.get();
    Path mappings;
    String name;
    String sourceDb;
    String sourceUrl;
    FerrySettings settings;
    Ferry ferry;
    CamelContext camel;

    @BeforeEach
    void databases(TestInfo info, @TempDir Path tmp) throws Exception {
        name = ("binlog_" + info.getTestMethod().orElseThrow().getName().toLowerCase()).replaceAll("[^a-z0-9_]", "");
        name = name.length() > 50 ? name.substring(0, 50) : name;
        sourceDb = name + "_src";
        sourceUrl = sourceServer().createDatabase(sourceDb);
        source(SOURCE_TABLE);
        mappings = tmp.resolve("mappings");
        FerryTestSupport.writeMapping(mappings, "oa-employees.yaml", MAPPING);
        settings = FerryTestSupport.freshDatabase(name, mappings, Map.of("ferry.lease.ttl", "PT3S"), TARGET_TABLE);
    }

    /** The server the source tables live on: the shared embedded MariaDB unless a test class brings its own. */
    EmbeddedMariaDb sourceServer() {
        return db;
    }

    /** Routes or beans a test class adds before the Camel context starts. */
    void beforeCamelStart(CamelContext camel) throws Exception {
    }

    @AfterEach
    void stopAll() {
        stop();
    }

    /** Starts Ferry and the route (parameters added to or replacing the defaults). */
    void start(Map<String, String> parameters) throws Exception {
        ferry = Ferry.start(settings);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.getRegistry().bind("ferry", ferry); // for ferry-reconcile:
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("oa-employees.yaml", route(parameters)));
        beforeCamelStart(camel);
        camel.start();
    }

    void start() throws Exception {
        start(Map.of());
    }

    void stop() {
        if (camel != null) {
            camel.stop();
            camel = null;
        }
        if (ferry != null) {
            ferry.close();
            ferry = null;
        }
    }

    String route(Map<String, String> overrides) {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("databaseHostname", "127.0.0.1");
        p.put("databasePort", String.valueOf(sourceServer().port()));
        p.put("databaseUser", EmbeddedMariaDb.USER);
        p.put("databasePassword", "RAW(" + EmbeddedMariaDb.PASSWORD + ")");
        p.put("databaseServerId", String.valueOf(SERVER_IDS.incrementAndGet()));
        p.put("tableIncludeList", sourceDb + ".employee");
        p.put("snapshotMode", "initial");
        p.put("topicPrefix", INTEGRATION);
        p.put("offsetStorage", BinlogOffsetStore.class.getName());
        p.put("schemaHistoryInternal", BinlogSchemaHistory.class.getName());
        p.putAll(overrides);
        StringBuilder options = new StringBuilder(); // ferry-binlog's own options go on its URI
        for (String option : List.of("idleFlushMillis", "afterSnapshot", "maxTransactionRows", "maxBatchRows")) {
            String value = p.remove(option);
            if (value != null) {
                options.append(options.isEmpty() ? "?" : "&").append(option).append("=").append(value);
            }
        }
        StringBuilder params = new StringBuilder();
        p.forEach((k, v) -> params.append("        ").append(k).append(": \"").append(v).append("\"\n"));
        return """
                - route:
                    id: oa-employees-binlog
                    from:
                      uri: "debezium-mysql:oa-employees"
                      parameters:
                %s      steps:
                        - to: "ferry-binlog:oa-employees%s"
                """.formatted(params.toString().replace("        ", "            "), options);
    }

    void source(String... sql) {
        try (Connection c = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Statements in one source transaction. */
    void sourceTransaction(String... sql) {
        try (Connection c = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : sql) {
                s.execute(statement);
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static final String ROW_SQL = "SELECT CONCAT_WS('|', emp_no, name, IFNULL(dept_id, '-'), IFNULL(salary, '-'), IFNULL(hired, '-')) "
            + "FROM employee ORDER BY emp_no";

    List<String> sourceRows() {
        return rows(sourceUrl, ROW_SQL);
    }

    List<String> targetRows() {
        return rows(db.url(name), ROW_SQL);
    }

    List<String> rows(String url, String sql) {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    long targetLong(String sql) {
        List<String> r = rows(db.url(name), sql);
        return r.isEmpty() || r.get(0) == null ? 0 : Long.parseLong(r.get(0));
    }

    /** Waits until the target holds exactly the source's rows. */
    void awaitTargetEqualsSource() {
        awaitTargetEqualsSource(Duration.ofSeconds(30));
    }

    void awaitTargetEqualsSource(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(targetRows()).isEqualTo(sourceRows()));
    }
}
