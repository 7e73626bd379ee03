package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Function;

/**
 * Ferry's own settings ({@code ferry.*} in application.properties). Every key can be overridden by an
 * environment variable: {@code ferry.db.url} → {@code FERRY_DB_URL} (Camel's properties component does
 * this for camel-main; {@link #fromLookup} applies the same rule when Ferry runs without Camel, e.g. the CLI).
 */
public record FerrySettings(
        String dbUrl,
        String dbUsername,
        String dbPassword,
        int dbPoolSize,
        Path routesDir,
        Path mappingsDir,
        int stagingRetentionDays,
        int idempotencyRetentionDays,
        Duration lookupCacheTtl,
        boolean stagingLoadData,
        Duration leaseTtl,
        DbTls dbTls,
        boolean groovyTrusted,
        Duration dbConnectionTimeout) {

    /** {@code ferry.db.connection-timeout}: how long a batch waits for a pool connection before it fails (an outage). */
    public static final Duration DEFAULT_DB_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    /**
     * TLS to the database: {@code ferry.db.ssl-mode} (Connector/J {@code sslMode}: DISABLED, PREFERRED,
     * REQUIRED, VERIFY_CA, VERIFY_IDENTITY; default PREFERRED) and an optional trust store for VERIFY_CA /
     * VERIFY_IDENTITY ({@code ferry.db.trust-store} path, {@code .trust-store-password}, {@code .trust-store-type}).
     */
    public record DbTls(String sslMode, String trustStore, String trustStorePassword, String trustStoreType) {

        public static final DbTls PREFERRED = new DbTls("PREFERRED", null, null, null);

        /** Never prints the trust store password. */
        @Override
        public String toString() {
            return "DbTls[sslMode=" + sslMode + ", trustStore=" + trustStore + "]";
        }
    }

    /** Reads settings through {@code lookup} (property key → value or null). */
    public static FerrySettings fromLookup(Function<String, String> lookup) {
        Function<String, String> get = key -> {
            String env = System.getenv(key.toUpperCase().replace('.', '_').replace('-', '_'));
            return env != null ? env : lookup.apply(key);
        };
        return new FerrySettings(
                required(get, "ferry.db.url"),
                or(get.apply("ferry.db.username"), "root"),
                or(get.apply("ferry.db.password"), ""),
                Integer.parseInt(or(get.apply("ferry.db.pool-size"), "8")),
                Path.of(or(get.apply("ferry.routes-dir"), "routes")),
                Path.of(or(get.apply("ferry.mappings-dir"), "mappings")),
                Integer.parseInt(or(get.apply("ferry.staging.retention-days"), "7")),
                Integer.parseInt(or(get.apply("ferry.idempotency.retention-days"), "90")),
                Duration.parse(or(get.apply("ferry.lookup.cache-ttl"), "PT5M")),
                Boolean.parseBoolean(or(get.apply("ferry.staging.load-data"), "true")),
                Duration.parse(or(get.apply("ferry.lease.ttl"), "PT2M")),
                new DbTls(or(get.apply("ferry.db.ssl-mode"), "PREFERRED").toUpperCase(), get.apply("ferry.db.trust-store"),
                        get.apply("ferry.db.trust-store-password"), or(get.apply("ferry.db.trust-store-type"), "PKCS12")),
                Boolean.parseBoolean(or(get.apply("ferry.groovy.trusted"), "false")),
                Duration.parse(or(get.apply("ferry.db.connection-timeout"), DEFAULT_DB_CONNECTION_TIMEOUT.toString())));
    }

    public static FerrySettings fromProperties(Properties p) {
        return fromLookup(p::getProperty);
    }

    public FerrySettings withDb(String url, String username, String password) {
        return new FerrySettings(url, username, password, dbPoolSize, routesDir, mappingsDir,
                stagingRetentionDays, idempotencyRetentionDays, lookupCacheTtl, stagingLoadData, leaseTtl, dbTls, groovyTrusted, dbConnectionTimeout);
    }

    public FerrySettings withMappingsDir(Path dir) {
        return new FerrySettings(dbUrl, dbUsername, dbPassword, dbPoolSize, routesDir, dir,
                stagingRetentionDays, idempotencyRetentionDays, lookupCacheTtl, stagingLoadData, leaseTtl, dbTls, groovyTrusted,
                dbConnectionTimeout);
    }

    public FerrySettings withDbConnectionTimeout(Duration timeout) {
        return new FerrySettings(dbUrl, dbUsername, dbPassword, dbPoolSize, routesDir, mappingsDir,
                stagingRetentionDays, idempotencyRetentionDays, lookupCacheTtl, stagingLoadData, leaseTtl, dbTls, groovyTrusted, timeout);
    }

    /** Never prints the password: records' default toString would. */
    @Override
    public String toString() {
        return "FerrySettings[db=" + dbUrl + ", user=" + dbUsername + ", password=****, routes=" + routesDir
                + ", mappings=" + mappingsDir + ", tls=" + dbTls + ", groovyTrusted=" + groovyTrusted + "]";
    }

    private static String required(Function<String, String> get, String key) {
        String v = get.apply(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("Missing setting '" + key + "' (or environment variable "
                    + key.toUpperCase().replace('.', '_').replace('-', '_') + ")");
        }
        return v;
    }

    private static String or(String v, String fallback) {
        return v == null || v.isBlank() ? fallback : v;
    }
}
