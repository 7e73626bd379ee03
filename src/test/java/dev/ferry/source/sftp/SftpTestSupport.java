package dev.ferry.source.sftp;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SftpTestServer;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A payment-bill integration against the in-process SFTP server: a fresh database and server directory per test,
 * Ferry and a Camel context with the ferry-sftp component, a clock the test moves.
 */
abstract class SftpTestSupport {

    static final String INTEGRATION = "payment-bills";
    static final String MAPPING = """
            integration: payment-bills
            key: "{bill_no}"
            fields:
              bill_no:  { from: bill_no, required: true }
              bill_date: { from: bill_date, type: date, format: yyyy-MM-dd, required: true }
              merchant: { from: merchant }
              amount:   { from: amount, type: "decimal(14,2)", required: true }
              status:   { from: status, map: { 成功: PAID, 退款: REFUNDED }, mapStrict: true }
            target: { table: payment_bill, mode: replace, matchOn: [bill_no], partitionBy: [bill_date] }
            """;
    static final String TABLE = "CREATE TABLE payment_bill (bill_no VARCHAR(40) PRIMARY KEY, bill_date DATE NOT NULL, "
            + "merchant VARCHAR(100), amount DECIMAL(14,2) NOT NULL, status VARCHAR(20), KEY (bill_date)) DEFAULT CHARSET=utf8mb4";
    static final Charset GBK = Charset.forName("GBK");
    /** Polls happen on 2026-11-23 in Shanghai; with lag 1 the newest due day is 2026-11-22. */
    static final Instant TODAY = Instant.parse("2026-11-23T02:00:00Z");
    /** Files were written well before the poll (complete unless a test says otherwise). */
    static final Instant OLD = Instant.parse("2026-11-23T00:00:00Z");

    final SftpTestServer sftp = SftpTestServer.get();
    Ferry ferry;
    CamelContext camel;
    ProducerTemplate template;
    MutableClock clock;
    String dir;

    @BeforeEach
    void start(TestInfo info, @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        String name = getClass().getSimpleName().toLowerCase().replaceAll("[^a-z0-9]", "") + "_"
                + info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        name = name.length() > 60 ? name.substring(0, 60) : name;
        Path mappings = tmp.resolve("mappings");
        FerryTestSupport.writeMapping(mappings, "payment-bills.yaml", mapping());
        FerrySettings settings = FerryTestSupport.freshDatabase(name, mappings, schema());
        ferry = Ferry.start(settings);
        dir = sftp.freshDirectory(name);
        clock = new MutableClock(TODAY);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.getRegistry().bind(dev.ferry.mapping.LookupSource.BEAN_NAME, ferry.lookups());
        camel.getRegistry().bind("testClock", clock);
        camel.start();
        template = camel.createProducerTemplate();
        workDir = Files.createDirectories(tmp.resolve("work"));
    }

    Path workDir;

    /** The integration's mapping file; a test class may enrich it (lookups). */
    String mapping() {
        return MAPPING;
    }

    /** The fresh database's tables; a test class may add dimension tables. */
    String[] schema() {
        return new String[] {TABLE};
    }

    @AfterEach
    void stop() {
        camel.stop();
        ferry.close();
    }

    /** Endpoint options every test shares; tests add or override. */
    Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("host", sftp.host());
        o.put("port", String.valueOf(sftp.port()));
        o.put("directory", dir);
        o.put("username", SftpTestServer.USER);
        o.put("password", SftpTestServer.PASSWORD);
        o.put("knownHostsFile", sftp.knownHosts().toString());
        o.put("fileName", "bills_{yyyyMMdd}.csv");
        o.put("encoding", "GBK");
        o.put("zone", "Asia/Shanghai");
        o.put("clock", "#testClock");
        o.put("retryDelay", "10ms");
        o.put("connectTimeout", "5s");
        o.put("workDirectory", workDir.toString());
        return o;
    }

    static String uri(Map<String, String> options) {
        StringBuilder sb = new StringBuilder("ferry-sftp:" + INTEGRATION + "?");
        options.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '?' ? "" : "&").append(k).append("=")
                .append(v.startsWith("#") ? v : "RAW(" + v + ")"));
        return sb.toString();
    }

    /** One poll; the finished exchange (failed or not). */
    Exchange poll(Map<String, String> options) {
        return template.send(uri(options), e -> { });
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> pollOk(Map<String, String> options) {
        Exchange done = poll(options);
        if (done.getException() != null) {
            throw new AssertionError("poll failed: " + done.getException().getMessage(), done.getException());
        }
        return done.getMessage().getBody(Map.class);
    }

    /** A bill file in GBK: header, the given rows ("bill_no,bill_date,merchant,amount,status"), CRLF line ends. */
    static String bills(String... rows) {
        StringBuilder sb = new StringBuilder("bill_no,bill_date,merchant,amount,status\r\n");
        for (String r : rows) {
            sb.append(r).append("\r\n");
        }
        return sb.toString();
    }

    void put(String name, String content) {
        sftp.put(dir, name, content, GBK, OLD);
    }

    /** Target rows as "bill_no|bill_date|merchant|amount|status", ordered by bill_no. */
    List<String> targetRows() {
        return rows("SELECT bill_no, bill_date, merchant, amount, status FROM payment_bill ORDER BY bill_no");
    }

    List<String> rows(String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        } catch (Exception e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The file ledger as "path|status|verdict|lines|received|staged|rejected", oldest first. */
    List<String> ledgerRows() {
        return rows("SELECT path, status, verdict, line_count, received, staged, rejected FROM ferry_sftp_file WHERE integration = '"
                + INTEGRATION + "' ORDER BY id");
    }

    /** Expected days as "day|status|asked". */
    List<String> dayRows() {
        return rows("SELECT day, status, asked FROM ferry_sftp_day WHERE integration = '" + INTEGRATION + "' ORDER BY day");
    }

    FileLedger ledger() {
        return new FileLedger(ferry.dataSource());
    }
}
