package dev.ferry.demo;

import dev.ferry.devservices.SftpTestServer;
import org.apache.camel.ProducerTemplate;

import java.nio.charset.Charset;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SFTP part of the demo (S0.6, S0.7): a payment provider's GBK bill files on an in-process SFTP server, one
 * day missing at first and arriving late, one day corrected and re-uploaded. Kept apart from the HTTP summary.
 */
final class PaymentBillsDemo {

    private static final Charset GBK = Charset.forName("GBK");
    private static final Instant WRITTEN = Instant.parse("2026-11-22T20:00:00Z");

    private final SftpTestServer sftp = SftpTestServer.get();
    private final String dir = sftp.freshDirectory("demo-bills");

    /** Puts the first files on the server and points routes/payment-bills.yaml at it (before Ferry starts). */
    void prepare() {
        put("bills_20261119.csv", day("20261119", 40, 0));
        put("bills_20261120.csv", day("20261120", 40, 0));
        put("bills_20261122.csv", day("20261122", 40, 0)); // 2026-11-21 is missing for now
        System.setProperty("bills.sftp.host", sftp.host());
        System.setProperty("bills.sftp.port", String.valueOf(sftp.port()));
        System.setProperty("bills.sftp.directory", dir);
        System.setProperty("bills.sftp.username", SftpTestServer.USER);
        System.setProperty("bills.sftp.password", SftpTestServer.PASSWORD);
        System.setProperty("bills.sftp.known-hosts", sftp.knownHosts().toString());
        System.setProperty("bills.start-date", "2026-11-19");
    }

    /** Two polls with the late day and the correction in between; prints both and checks the target. */
    boolean run(ProducerTemplate template, Connection target) throws Exception {
        Map<?, ?> first = template.requestBody("direct:payment-bills-pull", (Object) null, Map.class);
        System.out.printf("   payment-bills poll 1: loaded %s, missing days %s%n", first.get("loaded"), first.get("missingDays"));
        put("bills_20261121.csv", day("20261121", 40, 0));       // the missing day arrives late
        put("bills_20261122.csv", day("20261122", 40, 7));       // the provider corrects 2026-11-22 (7 amounts changed)
        Map<?, ?> second = template.requestBody("direct:payment-bills-pull", (Object) null, Map.class);
        System.out.printf("   payment-bills poll 2: loaded %s (backfill of a missing day), replaced %s (corrected file), missing days %s%n",
                second.get("loaded"), second.get("replaced"), second.get("missingDays"));
        return summary(target);
    }

    private boolean summary(Connection c) throws Exception {
        System.out.println("\nSFTP file ledger (payment-bills):");
        System.out.printf("%-20s %-11s %-9s %6s %8s %7s%n", "file", "status", "verdict", "lines", "received", "staged");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT path, status, verdict, line_count, received, staged FROM ferry_sftp_file ORDER BY id")) {
            while (rs.next()) {
                System.out.printf("%-20s %-11s %-9s %6d %8d %7d%n", rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6));
            }
        }
        List<String> days = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT day, status, asked FROM ferry_sftp_day ORDER BY day")) {
            while (rs.next()) {
                days.add(rs.getString(1) + " " + rs.getString(2) + (rs.getInt(3) > 0 ? " (asked " + rs.getInt(3) + "x before it came)" : ""));
            }
        }
        System.out.println("Expected days: " + String.join(", ", days));
        // every bill of the four days, with the corrected amounts of 2026-11-22
        long expectedRows = 160;
        String expectedSum = total();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(amount) FROM payment_bill")) {
            rs.next();
            boolean ok = rs.getLong(1) == expectedRows && expectedSum.equals(rs.getBigDecimal(2).toPlainString())
                    && days.stream().allMatch(d -> d.contains("LOADED"));
            System.out.printf("payment_bill: %d rows, total %s — expected %d rows, total %s: %s%n", rs.getLong(1),
                    rs.getBigDecimal(2).toPlainString(), expectedRows, expectedSum, ok ? "MATCH" : "DIFFERENT");
            return ok;
        }
    }

    /** The sum of all bills as the demo finally holds them. */
    private static String total() {
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        for (String d : new String[] { "20261119", "20261120", "20261121", "20261122" }) {
            for (int i = 1; i <= 40; i++) {
                sum = sum.add(amount(d, i, "20261122".equals(d) ? 7 : 0));
            }
        }
        return sum.setScale(2).toPlainString();
    }

    private static java.math.BigDecimal amount(String day, int i, int corrected) {
        int base = Integer.parseInt(day.substring(6)) * 100 + i;
        return java.math.BigDecimal.valueOf(i <= corrected ? base + 1000 : base, 0).movePointLeft(1).setScale(2);
    }

    /** One day's bill file: header, 40 bills, a trailer with the count. */
    private static String day(String day, int bills, int corrected) {
        String date = day.substring(0, 4) + "-" + day.substring(4, 6) + "-" + day.substring(6);
        String[] merchants = { "沃尔玛", "家乐福", "大润发", "永辉超市" };
        StringBuilder sb = new StringBuilder("bill_no,bill_date,merchant,amount,status\r\n");
        for (int i = 1; i <= bills; i++) {
            sb.append("P").append(day).append(String.format("%03d", i)).append(',').append(date).append(',')
                    .append(merchants[i % merchants.length]).append(',').append(amount(day, i, corrected).toPlainString()).append(',')
                    .append(i % 10 == 0 ? "退款" : "成功").append("\r\n");
        }
        return sb.append("TOTAL,").append(bills).append("\r\n").toString();
    }

    private void put(String name, String content) {
        sftp.put(dir, name, content, GBK, WRITTEN.plusSeconds(content.hashCode() & 0xff));
    }
}
