package dev.ferry.pipeline;

import dev.ferry.devservices.EmbeddedMariaDb;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;

/**
 * What mysqld spends per row on {@code LOAD DATA LOCAL} into staging-shaped tables (issue 13: is the staging row's
 * shape what makes it the dearest statement of a first load?). 100,000 bench-like rows in batches of 5,000, each
 * variant twice: (A) the staging table and statement as {@link StagingWriter} writes them; (B) key hash sent from
 * the JVM as hex; (C) both hashes as hex columns, no {@code SET}; (D) C without {@code staged_at}; (E) only the
 * ten mapped columns under the staging key; (F) the benchmark's {@code bench_load} (ten columns, key {@code id}).
 * {@code -Dssl=DISABLED} runs the same without TLS: the embedded server's TLS (its bundled wolfSSL) costs ~2 µs
 * of mysqld per staged row, a third of the statement, and the same per byte on every path of the benchmark.
 * <pre>
 * mvn -q -o test-compile exec:java -Dexec.mainClass=dev.ferry.pipeline.StagingLoadCost -Dexec.classpathScope=test [-Dssl=DISABLED]
 * </pre>
 */
public final class StagingLoadCost {

    static final String COLS = "id BIGINT, code VARCHAR(32), name VARCHAR(64), qty INT, price DECIMAL(12,2), amount DECIMAL(14,2), "
            + "status VARCHAR(16), created DATETIME, modified DATETIME, note VARCHAR(64)";
    static final String NAMES = "id, code, name, qty, price, amount, status, created, modified, note";
    private static final String BINARY = "BINARY(16)";
    private static final String HEX = "CHAR(32) CHARACTER SET ascii";
    private static long pid;

    /** A staging-shaped table: Ferry's own columns, the key and record hashes as {@code hashType}, the ten mapped ones. */
    private static String staging(String hashType, boolean stagedAt) {
        return "batch_id BIGINT NOT NULL, rn INT NOT NULL, k VARCHAR(500) NOT NULL, kh " + hashType + " NOT NULL, "
                + "h CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, op CHAR(1) CHARACTER SET ascii NOT NULL DEFAULT 'U', "
                + "v VARBINARY(255) NULL, rh " + hashType + " NULL, " + COLS
                + (stagedAt ? ", staged_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)" : "") + ", PRIMARY KEY (batch_id, rn)";
    }

    public static void main(String[] args) throws Exception {
        EmbeddedMariaDb db = EmbeddedMariaDb.get();
        pid = EmbeddedMariaDb.serverPid();
        String url = db.createDatabase("staging_load_cost");
        Properties p = new Properties();
        p.put("user", EmbeddedMariaDb.USER);
        p.put("password", EmbeddedMariaDb.PASSWORD);
        p.put("allowLoadLocalInfile", "true");
        p.put("useAffectedRows", "true");
        p.put("sslMode", System.getProperty("ssl", "PREFERRED"));
        int rows = Integer.getInteger("rows", 100_000);
        try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
            for (int round = 0; round < 2; round++) {
                run(c, s, rows, "A current", staging(BINARY, true),
                        "batch_id, rn, k, h, op, v, " + NAMES + ", @rh) SET kh = UNHEX(MD5(k)), rh = UNHEX(@rh)", 0);
                run(c, s, rows, "B hex vars", staging(BINARY, true),
                        "batch_id, rn, k, h, op, v, " + NAMES + ", @rh, @kh) SET kh = UNHEX(@kh), rh = UNHEX(@rh)", 1);
                run(c, s, rows, "C hex cols no SET", staging(HEX, true), "batch_id, rn, k, h, op, v, " + NAMES + ", rh, kh)", 1);
                run(c, s, rows, "D C w/o staged_at", staging(HEX, false), "batch_id, rn, k, h, op, v, " + NAMES + ", rh, kh)", 1);
                run(c, s, rows, "E only 10 cols + (batch,rn)", "batch_id BIGINT NOT NULL, rn INT NOT NULL, " + COLS + ", PRIMARY KEY (batch_id, rn)",
                        "batch_id, rn, @k, @h, @op, @v, " + NAMES + ", @rh)", 0);
                run(c, s, rows, "F bench_load (PK id)", COLS.replace("id BIGINT,", "id BIGINT PRIMARY KEY,"),
                        "@b, @r, @k, @h, @op, @v, " + NAMES + ", @rh)", 0);
            }
        }
        System.exit(0);
    }

    static void run(Connection c, Statement s, int rows, String name, String ddl, String load, int extraKh) throws Exception {
        s.execute("DROP TABLE IF EXISTS stg");
        s.execute("CREATE TABLE stg (" + ddl + ") ENGINE=InnoDB");
        HexFormat hex = HexFormat.of();
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        long ns = 0;
        int batch = 5000;
        for (int b = 0; b < rows / batch; b++) {
            StringBuilder sb = new StringBuilder(batch * 300);
            for (int i = 0; i < batch; i++) {
                long id = (long) b * batch + i;
                String key = Long.toString(id);
                String h = hex.formatHex(md5.digest(("row" + id).getBytes(StandardCharsets.UTF_8)));
                sb.append(b).append('\t').append(i + 1).append('\t').append(key).append('\t').append(h).append("\tU\t\\N\t")
                        .append(id).append("\tC-").append(id % 100000).append("\tName of item ").append(id).append('\t').append(id % 97)
                        .append('\t').append(id % 10000).append(".25\t").append(id % 100000).append(".50\tOPEN\t2024-01-02 03:04:05\t2024-02-03 04:05:06\tsome note ")
                        .append(id % 1000).append('\t').append(h);
                if (extraKh == 1) {
                    sb.append('\t').append(hex.formatHex(md5.digest(key.getBytes(StandardCharsets.UTF_8))));
                }
                sb.append('\n');
            }
            byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
            c.setAutoCommit(false);
            long before = mysqldNanos();
            ((com.mysql.cj.jdbc.JdbcStatement) s).setLocalInfileInputStream(new ByteArrayInputStream(data));
            s.executeUpdate("LOAD DATA LOCAL INFILE 'x.tsv' INTO TABLE stg CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + load);
            c.commit();
            ns += mysqldNanos() - before;
            c.setAutoCommit(true);
        }
        System.out.printf("%-32s %6.2f µs/row mysqld%n", name, ns / 1e3 / rows);
    }

    private static long mysqldNanos() {
        return EmbeddedMariaDb.cpuNanos(pid);
    }
}
