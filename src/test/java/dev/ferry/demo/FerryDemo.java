package dev.ferry.demo;

import dev.ferry.FerryTestSupport;
import dev.ferry.cli.LedgerReport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.FerryOnSampleApis;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.KingdeeSalesOrders;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.devservices.SampleData;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ferry's demo on embedded defaults: an embedded MariaDB, a sample upstream server modelled on the
 * Kingdee and Jushuitan APIs (with duplicates across pages, 429s, a 500 and malformed records), and the
 * two sample integrations from {@code routes/} and {@code mappings/}, run twice with source changes in
 * between. Prints a summary per integration and run and checks every target row against the source.
 * Exits 0 only if every reconciliation balanced and the target matches the source.
 */
public final class FerryDemo {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String[] INTEGRATIONS = {"kingdee-sales-orders", "jst-refunds"};

    public static void main(String[] args) throws Exception {
        int exit = run();
        System.exit(exit);
    }

    static int run() throws Exception {
        step("Starting the embedded MariaDB");
        EmbeddedMariaDb db = EmbeddedMariaDb.get();
        String url = db.createDatabase("ferry_demo");

        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        KingdeeSalesOrders kingdee = KingdeeSalesOrders.demo(clock);
        JstRefunds jst = JstRefunds.demo(clock);
        kingdee.malformedRecords(4);
        jst.malformedRecords(6);
        step("Starting the sample upstream APIs: " + kingdee.size() + " Kingdee sales orders, " + jst.size()
                + " Jushuitan refunds (" + jst.itemCount() + " items)");
        try (SampleApiServer api = SampleApiServer.builder().kingdee(kingdee).jst(jst).clock(clock).start();
             Connection customer = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD)) {
            api.kingdeeFaults().duplicatesAcrossPages(true).failOnce(3, 500);
            api.jstFaults().duplicatesAcrossPages(true).rateLimitEvery(40).failOnce(57, 500);

            step("Creating the customer's target tables (mt_so_head, refund_list_query, dim_shop)");
            try (Statement s = customer.createStatement()) {
                for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                    s.execute(sql);
                }
                for (int shop = 1; shop <= 30; shop++) {
                    s.execute("INSERT INTO dim_shop VALUES (" + shop + ", 'Shop " + shop + "')");
                }
            }
            // The order system already holds the heads of most orders; Ferry only updates their status (S2.5).
            insertOrderHeads(customer, kingdee.records().stream().filter(o -> (o.fid() % 50) != 0).toList());

            OaBinlogDemo oa = new OaBinlogDemo();
            step("Creating the OA system's schema (employees, organisations) for binlog CDC");
            oa.prepare();

            PaymentBillsDemo bills = new PaymentBillsDemo();
            step("Starting the sample SFTP server (payment bills, GBK, 2026-11-21 missing)");
            bills.prepare();
            KafkaAndPushDemo events = new KafkaAndPushDemo();
            step("Starting the Kafka broker (KRaft, in-process) and switching on the Kafka and push samples");
            events.prepare();

            step("Starting Ferry (camel-main) with routes/ and mappings/");
            boolean billsOk;
            boolean eventsOk;
            ReconcileDemo recon = new ReconcileDemo();
            // Go-live was two weeks ago: the first load asks Jushuitan for more than its 7-day limit, so it is sliced.
            Main main = FerryOnSampleApis.start(url, Path.of("mappings"), api, clock, "2026-11-09 00:00:00");
            try {
                ProducerTemplate template = main.getCamelContext().createProducerTemplate();

                step("Run 1: initial load of both integrations");
                pull(template);

                clock.advance(Duration.ofMinutes(20));
                SampleData.Mutation k = kingdee.mutate(300, 200);
                SampleData.Mutation j = jst.mutate(400, 300);
                // The order system catches up with half of the new orders before the next status sync.
                insertOrderHeads(customer, kingdee.records().stream()
                        .filter(o -> k.addedIds().contains(o.billNo()) && (o.fid() % 2) == 0).toList());
                step("Source changes: Kingdee " + k.changedIds().size() + " orders changed, " + k.addedIds().size()
                        + " added; Jushuitan " + j.changedIds().size() + " refunds changed, " + j.addedIds().size() + " added");
                clock.advance(Duration.ofMinutes(10));

                step("Run 2: incremental pull of both integrations");
                pull(template);

                step("SFTP: two polls of the payment bills; the missing day arrives late, one day is corrected");
                billsOk = bills.run(template, customer);

                step("Binlog CDC: the OA snapshot, then live inserts, updates and deletes");
                billsOk &= oa.run(customer);
                step("Kafka: user-registration events (2 poison messages); push: orders from a shop system");
                eventsOk = events.run(customer);
                step("Reconciliation: a user_account row broken and one deleted; ferry-reconcile finds and corrects both");
                eventsOk &= recon.run(template, customer);
                if (Boolean.getBoolean("demo.hawtio")) {
                    consoleUntilEnter(main);
                }
            } finally {
                main.stop();
            }

            System.out.printf("%nUpstream faults Ferry rode through: Kingdee answered %s, Jushuitan answered %s (status → count)%n",
                    api.kingdeeFaults().statusCounts(), api.jstFaults().statusCounts());
            int exit = report(customer, kingdee, jst);
            System.out.println("Reconciliation (user-registrations topic against user_account): " + recon.summary());
            return billsOk && eventsOk ? exit : 1;
        }
    }

    /**
     * {@code -Ddemo.hawtio=true}: a real Hawtio 4 beside the demo's Ferry, connected the way an operator connects
     * one (Connect → Remote → Ferry's Jolokia), and Ferry's status page; runs until Enter or Ctrl-C.
     */
    private static void consoleUntilEnter(Main main) throws Exception {
        org.apache.camel.spi.PropertiesComponent p = main.getCamelContext().getPropertiesComponent();
        String managementPort = p.resolveProperty("camel.management.port").orElseThrow();
        String serverPort = p.resolveProperty("camel.server.port").orElseThrow();
        int hawtioPort = Integer.getInteger("demo.hawtio.port", dev.ferry.FerryTestSupport.freePort());
        try (dev.ferry.devservices.HawtioServer hawtio = dev.ferry.devservices.HawtioServer.start(hawtioPort)) {
            step("Hawtio 4 is running: " + hawtio.baseUrl());
            System.out.println("   Connect → Remote → Add connection: name ferry, http, host localhost, port " + managementPort
                    + ", path /observe/jolokia → Connect; then Camel → ferry → routes.");
            System.out.println("   Or paste into the browser console on the Hawtio page, then open " + hawtio.url("ferry") + " :");
            System.out.println("   " + dev.ferry.devservices.HawtioServer.connectionScript("ferry", "localhost", Integer.parseInt(managementPort),
                    "/observe/jolokia"));
            System.out.println("   Ferry's status page: http://localhost:" + serverPort + "/status   (admin token: "
                    + p.resolveProperty("ferry.admin.token").filter(t -> !t.isBlank()).map(t -> "as configured").orElse("none set, acts refused") + ")");
            System.out.println("   Press Enter (or Ctrl-C) to end the demo.");
            try {
                System.in.read();
            } catch (java.io.IOException e) {
                // stdin closed: end as if Enter was pressed
            }
        }
    }

    private static void pull(ProducerTemplate template) {
        for (String integration : INTEGRATIONS) {
            long t0 = System.nanoTime();
            Object summary = template.requestBody("direct:" + integration + "-pull", (Object) null);
            System.out.printf("   %s: %s (%.1f s)%n", integration, summary, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static int report(Connection c, KingdeeSalesOrders kingdee, JstRefunds jst) throws Exception {
        System.out.println();
        System.out.println("Summary per integration and run (from the ledger, ferry_run / ferry_batch / ferry_reconciliation)");
        boolean balanced = true;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(LedgerReport.SQL + " ORDER BY r.integration, r.id")) {
            System.out.print(LedgerReport.header());
            while (rs.next()) {
                System.out.print(LedgerReport.line(rs));
                // UNVERIFIED against the source is honest (the API gives no count), not a failure; MISMATCH is
                balanced &= "BALANCED".equals(rs.getString("reconciliation")) && "SUCCEEDED".equals(rs.getString("status"))
                        && !"MISMATCH".equals(rs.getString("source_verdict"));
            }
        }

        System.out.println();
        System.out.println("Slices and the verdict against the source (ferry_reconciliation, scope SEGMENT): what the source said each");
        System.out.println("window holds (its reported total, or UNVERIFIED when it gives no count) against the distinct records received");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT rc.run_id, rc.integration, rc.segment, rc.status, rc.source_count, rc.received_distinct "
                        + "FROM ferry_reconciliation rc "
                        + "WHERE rc.scope = 'SEGMENT' ORDER BY rc.integration, rc.run_id, rc.id")) {
            while (rs.next()) {
                String source = rs.getString(5);
                System.out.printf("   run %-3d %-21s [%s]  source %-6s received %-6d %s%n", rs.getLong(1), rs.getString(2),
                        rs.getString(3), source == null ? "-" : source, rs.getLong(6), rs.getString(4));
            }
        }

        System.out.println();
        System.out.println("Dead letters (malformed source records, kept with their payload for replay):");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT integration, field, reason, times_seen FROM ferry_dead_letter ORDER BY integration, id")) {
            while (rs.next()) {
                System.out.printf("   %-21s seen %dx  %s%n", rs.getString(1), rs.getInt(4), rs.getString(3));
            }
        }

        System.out.println();
        System.out.println("Proof against the source (every target row compared with the sample APIs' data):");
        boolean kingdeeOk = checkKingdee(c, kingdee);
        boolean jstOk = checkJst(c, jst);
        boolean ok = balanced && kingdeeOk && jstOk;
        System.out.println();
        System.out.println(ok ? "DEMO OK: no mismatch anywhere (UNVERIFIED only where the source gives no count); nothing lost, nothing duplicated."
                : "DEMO FAILED: see the lines above.");
        return ok ? 0 : 1;
    }

    /** Every head the order system holds must carry the status Kingdee has for it (malformed ones excepted). */
    private static boolean checkKingdee(Connection c, KingdeeSalesOrders kingdee) throws Exception {
        Set<String> malformed = new HashSet<>(kingdee.malformedIds());
        Map<String, String> expected = new HashMap<>();
        for (KingdeeSalesOrders.SalesOrder o : kingdee.records()) {
            if (!malformed.contains(o.billNo())) {
                String status = "B".equals(o.closeStatus()) || "B".equals(o.cancelStatus()) ? "CLOSED"
                        : "C".equals(o.documentStatus()) ? "APPROVED" : "OPEN";
                expected.put(o.billNo(), status);
            }
        }
        int heads = 0;
        int wrong = 0;
        List<String> examples = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SO_NUMBER, SO_STATUS FROM mt_so_head")) {
            while (rs.next()) {
                heads++;
                String want = expected.get(rs.getString(1));
                if (want != null && !want.equals(rs.getString(2))) {
                    wrong++;
                    if (examples.size() < 5) {
                        examples.add(rs.getString(1) + " has " + rs.getString(2) + ", Kingdee says " + want);
                    }
                }
            }
        }
        long rejected = count(c, "SELECT COUNT(*) FROM ferry_dead_letter WHERE integration = 'kingdee-sales-orders'");
        boolean ok = wrong == 0 && rejected == malformed.size();
        System.out.printf("   kingdee-sales-orders: %d order heads, %d with a status different from Kingdee %s; %d dead letters for %d malformed orders  %s%n",
                heads, wrong, examples, rejected, malformed.size(), ok ? "OK" : "FAILED");
        return ok;
    }

    /** The target must hold exactly one row per item of every well-formed refund, with the source's values. */
    private static boolean checkJst(Connection c, JstRefunds jst) throws Exception {
        Set<String> malformed = new HashSet<>(jst.malformedIds());
        Map<String, String> expected = new HashMap<>();
        for (JstRefunds.Refund r : jst.records()) {
            boolean bad = r.defect() != null;
            for (JstRefunds.Item it : r.items()) {
                String key = r.asId() + "-" + it.asiId();
                if (!bad && !malformed.contains(key) && !malformed.contains(r.asId())) {
                    expected.put(key, r.status() + "|" + it.qty() + "|" + it.amount().setScale(2) + "|"
                            + r.modified().format(TIME));
                }
            }
        }
        Map<String, String> actual = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, status, items_qty, items_amount, DATE_FORMAT(modified, '%Y-%m-%d %H:%i:%s') FROM refund_list_query")) {
            Map<String, String> back = Map.of("PENDING", "WaitConfirm", "DONE", "Confirmed", "CANCELLED", "Cancelled", "MERGED", "Merged");
            while (rs.next()) {
                actual.put(rs.getString(1), back.get(rs.getString(2)) + "|" + rs.getInt(3) + "|"
                        + rs.getBigDecimal(4).setScale(2) + "|" + rs.getString(5));
            }
        }
        Set<String> missing = new HashSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        Set<String> extra = new HashSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        long different = expected.entrySet().stream().filter(e -> actual.containsKey(e.getKey())
                && !actual.get(e.getKey()).equals(e.getValue())).count();
        long duplicates = count(c, "SELECT COUNT(*) - COUNT(DISTINCT as_id, items_asi_id) FROM refund_list_query");
        long rejected = count(c, "SELECT COUNT(*) FROM ferry_dead_letter WHERE integration = 'jst-refunds'");
        boolean ok = missing.isEmpty() && extra.isEmpty() && different == 0 && duplicates == 0 && rejected == malformed.size();
        System.out.printf("   jst-refunds: %d item rows expected, %d in refund_list_query: %d missing, %d extra, %d different, %d duplicated; %d dead letters for %d malformed refunds  %s%n",
                expected.size(), actual.size(), missing.size(), extra.size(), different, duplicates, rejected, malformed.size(),
                ok ? "OK" : "FAILED");
        return ok;
    }

    private static void insertOrderHeads(Connection c, List<KingdeeSalesOrders.SalesOrder> orders) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT IGNORE INTO mt_so_head (SO_NUMBER, CUSTOMER_CODE, SO_AMOUNT, SO_STATUS) VALUES (?, ?, ?, 'NEW')")) {
            for (KingdeeSalesOrders.SalesOrder o : orders) {
                ps.setString(1, o.billNo());
                ps.setString(2, o.customer());
                ps.setBigDecimal(3, o.amount() == null ? BigDecimal.ZERO : o.amount());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void step(String text) {
        System.out.println("==> " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + text);
    }
}
