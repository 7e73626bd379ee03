package dev.ferry.bench;

import dev.ferry.devservices.EmbeddedMariaDb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Issue 13, the steady state's one store look-up per batch: what mysqld and this JVM spend on it, per way of writing
 * it. A store of {@code -Dbench.lookup.keys} keys (default 200,000) in {@code ferry_idempotency}'s shape; every variant
 * looks all of them up in batches of 5,000 keys, three rounds, and prints CPU µs per key (JVM, mysqld).
 * {@code mvn -q -o test-compile exec:java -Dexec.mainClass=dev.ferry.bench.DedupeLookupBenchmark -Dexec.classpathScope=test}
 */
public final class DedupeLookupBenchmark {

    private static final int BATCH = 5000;
    private static final HexFormat HEX = HexFormat.of();

    private interface Variant {
        int lookUp(Connection c, List<String> keys, List<byte[]> keyHashes) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int total = Integer.getInteger("bench.lookup.keys", 200_000);
        EmbeddedMariaDb db = EmbeddedMariaDb.get();
        String url = db.createDatabase("ferry_lookup_bench");
        long pid = EmbeddedMariaDb.serverPid();
        Properties p = new Properties();
        p.setProperty("user", EmbeddedMariaDb.USER);
        p.setProperty("password", EmbeddedMariaDb.PASSWORD);
        p.setProperty("rewriteBatchedStatements", "true");
        try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ferry_idempotency (integration VARCHAR(100) NOT NULL, key_hash BINARY(16) NOT NULL, "
                    + "business_key VARCHAR(500) NOT NULL, content_hash CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, "
                    + "first_batch_id BIGINT, last_batch_id BIGINT, last_seen DATETIME(3) NOT NULL, claims INT NOT NULL DEFAULT 1, "
                    + "version VARBINARY(255) NULL, op CHAR(1) NOT NULL DEFAULT 'U', record_hash BINARY(16) NULL, "
                    + "PRIMARY KEY (integration, key_hash), KEY ix_idem_last_seen (integration, last_seen)) ENGINE=InnoDB");
            s.execute("INSERT INTO ferry_idempotency (integration, key_hash, business_key, content_hash, last_seen, record_hash) "
                    + "SELECT 'bench-records', UNHEX(MD5(seq)), seq, MD5(CONCAT('c', seq)), NOW(3), UNHEX(MD5(CONCAT('r', seq))) "
                    + "FROM seq_1_to_" + total);
            List<String> all = new ArrayList<>(total);
            List<byte[]> hashes = new ArrayList<>(total);
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            for (int i = 1; i <= total; i++) {
                all.add(Integer.toString(i));
                hashes.add(md5.digest(Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
            }
            String cols = "SELECT business_key, content_hash, last_seen < NOW(3) - INTERVAL 1 DAY, record_hash FROM ferry_idempotency "
                    + "WHERE integration = ? AND key_hash IN (";
            String colsByHash = "SELECT key_hash, content_hash, last_seen < NOW(3) - INTERVAL 1 DAY, record_hash FROM ferry_idempotency "
                    + "WHERE integration = ? AND key_hash IN (";
            Variant md5OnServer = (con, keys, kh) -> {
                try (PreparedStatement ps = con.prepareStatement(cols + "UNHEX(MD5(?)),".repeat(keys.size() - 1) + "UNHEX(MD5(?)))")) {
                    ps.setString(1, "bench-records");
                    for (int i = 0; i < keys.size(); i++) {
                        ps.setString(i + 2, keys.get(i));
                    }
                    return drain(ps);
                }
            };
            Variant binaryParams = (con, keys, kh) -> {
                try (PreparedStatement ps = con.prepareStatement(cols + "?,".repeat(keys.size() - 1) + "?)")) {
                    ps.setString(1, "bench-records");
                    for (int i = 0; i < keys.size(); i++) {
                        ps.setBytes(i + 2, kh.get(i));
                    }
                    return drain(ps);
                }
            };
            Variant hexLiterals = (con, keys, kh) -> {
                StringBuilder sql = new StringBuilder(colsByHash.length() + keys.size() * 36).append(colsByHash);
                for (int i = 0; i < kh.size(); i++) {
                    sql.append(i == 0 ? "X'" : ",X'").append(HEX.formatHex(kh.get(i))).append('\'');
                }
                try (PreparedStatement ps = con.prepareStatement(sql.append(')').toString())) {
                    ps.setString(1, "bench-records");
                    return drain(ps);
                }
            };
            Variant hexLiteralsSorted = (con, keys, kh) -> {
                List<String> hex = new ArrayList<>(kh.size());
                for (byte[] h : kh) {
                    hex.add(HEX.formatHex(h));
                }
                java.util.Collections.sort(hex);
                StringBuilder sql = new StringBuilder(colsByHash.length() + keys.size() * 36).append(colsByHash);
                for (int i = 0; i < hex.size(); i++) {
                    sql.append(i == 0 ? "X'" : ",X'").append(hex.get(i)).append('\'');
                }
                try (PreparedStatement ps = con.prepareStatement(sql.append(')').toString())) {
                    ps.setString(1, "bench-records");
                    return drain(ps);
                }
            };
            Variant sortedChunks1000 = (con, keys, kh) -> {
                int n = 0;
                for (int from = 0; from < keys.size(); from += 1000) {
                    int to = Math.min(keys.size(), from + 1000);
                    n += hexLiteralsSorted.lookUp(con, keys.subList(from, to), kh.subList(from, to));
                }
                return n;
            };
            boolean mariaDb;
            try (ResultSet rs = s.executeQuery("SELECT VERSION()")) {
                rs.next();
                mariaDb = rs.getString(1).contains("MariaDB");
            }
            Variant noInConversion = (con, keys, kh) -> {
                if (mariaDb) {
                    try (Statement st = con.createStatement()) {
                        st.execute("SET SESSION in_predicate_conversion_threshold = 0");
                    }
                }
                try {
                    return hexLiteralsSorted.lookUp(con, keys, kh);
                } finally {
                    if (mariaDb) {
                        try (Statement st = con.createStatement()) {
                            st.execute("SET SESSION in_predicate_conversion_threshold = DEFAULT");
                        }
                    }
                }
            };
            java.util.Map<Integer, PreparedStatement> prepared = new java.util.HashMap<>();
            Variant serverPrepared = (con, keys, kh) -> {
                PreparedStatement ps = prepared.get(keys.size());
                if (ps == null) {
                    ps = con.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).serverPrepareStatement(colsByHash + "?,".repeat(keys.size() - 1) + "?)");
                    prepared.put(keys.size(), ps);
                }
                ps.setString(1, "bench-records");
                for (int i = 0; i < keys.size(); i++) {
                    ps.setBytes(i + 2, kh.get(i));
                }
                return drain(ps);
            };
            String[] names = {"UNHEX(MD5(?)) per key (today)", "key hash bound as bytes", "key hash as X'…' literals",
                    "X'…' literals, sorted", "server-side prepared, reused",
                    "X'…' sorted, 1,000 per query", "X'…' sorted, no IN→subquery (MariaDB)"};
            Variant[] variants = {md5OnServer, binaryParams, hexLiterals, hexLiteralsSorted, serverPrepared, sortedChunks1000, noInConversion};
            double[][] cpu = new double[variants.length][2];
            for (int round = -1; round < 3; round++) { // round -1 warms the JIT up and is not counted
                for (int v = 0; v < variants.length; v++) {
                    double jvm0 = jvmCpu();
                    double db0 = dbCpu(pid);
                    long found = 0;
                    for (int from = 0; from < total; from += BATCH) {
                        int to = Math.min(total, from + BATCH);
                        found += variants[v].lookUp(c, all.subList(from, to), hashes.subList(from, to));
                    }
                    if (found != total) {
                        throw new IllegalStateException(names[v] + " found " + found + " of " + total);
                    }
                    if (round >= 0) {
                        cpu[v][0] += jvmCpu() - jvm0;
                        cpu[v][1] += dbCpu(pid) - db0;
                    }
                }
            }
            System.out.printf("%nDedupe look-up of %,d keys in batches of %,d, 3 rounds: CPU µs per key looked up%n", total, BATCH);
            System.out.printf("%-34s %8s %8s %8s%n", "variant", "JVM", "mysqld", "sum");
            for (int v = 0; v < variants.length; v++) {
                double keys = 3.0 * total;
                System.out.printf("%-34s %8.2f %8.2f %8.2f%n", names[v], cpu[v][0] / keys * 1e6, cpu[v][1] / keys * 1e6,
                        (cpu[v][0] + cpu[v][1]) / keys * 1e6);
            }
            for (PreparedStatement ps : prepared.values()) {
                ps.close();
            }
        }
        System.exit(0);
    }

    private static int drain(PreparedStatement ps) throws Exception {
        int n = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getBytes(1);
                rs.getString(2);
                rs.getBoolean(3);
                rs.getBytes(4);
                n++;
            }
        }
        return n;
    }

    private static double jvmCpu() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    private static double dbCpu(long pid) {
        return EmbeddedMariaDb.cpuSeconds(pid);
    }
}
