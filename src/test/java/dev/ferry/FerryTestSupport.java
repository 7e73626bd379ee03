package dev.ferry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.EmbeddedMariaDb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Shared set-up for tests against the real embedded database: one database per test, real SQL. */
public final class FerryTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FerryTestSupport() {
    }

    /** A fresh database (dropped and created) with the given SQL run in it; returns Ferry settings for it. */
    public static FerrySettings freshDatabase(String name, Path mappingsDir, String... sql) {
        return freshDatabase(name, mappingsDir, java.util.Map.of(), sql);
    }

    /** As above, with extra {@code ferry.*} settings. */
    public static FerrySettings freshDatabase(String name, Path mappingsDir, java.util.Map<String, String> settings, String... sql) {
        String url = EmbeddedMariaDb.get().createDatabase(name);
        try (Connection c = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        Properties p = new Properties();
        p.setProperty("ferry.db.url", url);
        p.setProperty("ferry.db.username", EmbeddedMariaDb.USER);
        p.setProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
        p.setProperty("ferry.db.pool-size", "4");
        p.setProperty("ferry.lookup.cache-ttl", "PT0S");
        p.setProperty("ferry.mappings-dir", mappingsDir.toString());
        p.putAll(settings);
        return FerrySettings.fromProperties(p);
    }

    /** The statements of a SQL resource, split on semicolons at line ends (comments dropped). */
    public static String[] sqlResource(String resource) {
        try (var in = FerryTestSupport.class.getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes()).replaceAll("(?m)^\\s*--.*$", "");
            return java.util.Arrays.stream(text.split(";\\s*\\n")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path writeMapping(Path dir, String fileName, String yaml) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve(fileName), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<JsonNode> json(String... records) {
        List<JsonNode> out = new ArrayList<>();
        for (String r : records) {
            try {
                out.add(JSON.readTree(r));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public static long queryLong(Ferry ferry, String sql) {
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static String queryString(Ferry ferry, String sql) {
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static void execute(Ferry ferry, String sql) {
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** A port free on the loopback right now (for Ferry's HTTP and management servers in tests). */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
