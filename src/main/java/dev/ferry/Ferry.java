package dev.ferry;

import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.config.FerrySettings;
import dev.ferry.db.Database;
import dev.ferry.mapping.JdbcLookupSource;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingLoader;
import dev.ferry.pipeline.DeadLetterStore;
import dev.ferry.pipeline.IdempotencyStore;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.IntegrationRegistry;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import dev.ferry.pipeline.TargetTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

/**
 * Ferry's runtime without Camel: the pool, the schema, every mapping checked against its target, and one
 * pipeline per integration. Camel routes, the CLI, the demo and the benchmark all start here.
 */
public final class Ferry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ferry.class);

    private final FerrySettings settings;
    private final HikariDataSource dataSource;
    private final IntegrationRegistry registry = new IntegrationRegistry();
    private final DeadLetterStore deadLetters;
    private JdbcLookupSource lookups;
    /**
     * The lookups' own connections: a lookup table loads while its batch holds a connection of the main pool, and a
     * batch holding two connections of one pool deadlocks it once as many batches map at once as it has connections.
     */
    private HikariDataSource lookupPool;
    private boolean loadData;

    private Ferry(FerrySettings settings, HikariDataSource dataSource) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.deadLetters = new DeadLetterStore(dataSource);
    }

    /**
     * Connects, migrates Ferry's tables, loads every mapping and checks it against its target table. Fails
     * (naming the mapping file and field) before any route starts when a mapping does not fit its target.
     */
    public static Ferry start(FerrySettings settings) {
        HikariDataSource ds = Database.pool(settings);
        HikariDataSource lookupPool = null;
        try {
            Database.migrate(ds);
            Ferry ferry = new Ferry(settings, ds);
            lookupPool = Database.pool(settings, "ferry-lookups", 2);
            ferry.lookupPool = lookupPool;
            JdbcLookupSource lookups = new JdbcLookupSource(ferry.lookupPool, settings.lookupCacheTtl());
            boolean loadData = settings.stagingLoadData() && Database.localInfileEnabled(ds);
            ferry.lookups = lookups;
            ferry.loadData = loadData;
            Map<String, Mapping> mappings = MappingLoader.loadAll(settings.mappingsDir(), settings.groovyTrusted());
            for (Mapping mapping : mappings.values()) {
                TargetTable target = TargetTable.describe(ds, mapping);
                target.ensureStagingTable(ds);
                ferry.registry.register(new JdbcIntegrationPipeline(ds, target, lookups, loadData, settings.leaseTtl()));
                LOG.info("Integration {} ready: {} → {} ({})", mapping.integration(), mapping.file(), mapping.target().table(),
                        mapping.target().mode());
            }
            return ferry;
        } catch (RuntimeException e) {
            if (lookupPool != null) {
                lookupPool.close();
            }
            ds.close();
            throw e;
        }
    }

    /**
     * Dev mode: loads a changed mapping file, checks it against its target (the staging table gains new columns) and
     * replaces its integration's pipeline, so the next batch is mapped the new way. A file that does not load or fit
     * its target throws, and the pipeline in place stays.
     */
    public JdbcIntegrationPipeline reloadMapping(java.nio.file.Path file) {
        Mapping mapping = MappingLoader.load(file, settings.groovyTrusted());
        TargetTable target = TargetTable.describe(dataSource, mapping);
        target.ensureStagingTable(dataSource);
        JdbcIntegrationPipeline pipeline = new JdbcIntegrationPipeline(dataSource, target, lookups, loadData, settings.leaseTtl());
        registry.register(pipeline);
        LOG.info("Integration {} reloaded from {} (dev mode)", mapping.integration(), file);
        return pipeline;
    }

    public IntegrationRegistry integrations() {
        return registry;
    }

    public JdbcIntegrationPipeline pipeline(String integration) {
        return (JdbcIntegrationPipeline) registry.get(integration);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * The lookups of every integration (bound as {@link dev.ferry.mapping.LookupSource#BEAN_NAME}): on the
     * {@code ferry-lookups} pool, so a lookup never waits for a connection of the main pool that batches hold.
     */
    public JdbcLookupSource lookups() {
        return lookups;
    }

    /** The lookups' own pool ({@code ferry-lookups}). */
    public HikariDataSource lookupPool() {
        return lookupPool;
    }

    public DeadLetterStore deadLetters() {
        return deadLetters;
    }

    public FerrySettings settings() {
        return settings;
    }

    /**
     * Applies parked update-only rows whose target row appeared, then purges staging rows and idempotency keys
     * past their retention (a staging row a parked row still needs is kept). Returns rows deleted.
     */
    public long housekeeping() {
        for (IntegrationPipeline p : registry.all()) {
            ((JdbcIntegrationPipeline) p).applyParkedRows();
        }
        long deleted = 0;
        try (Connection c = dataSource.getConnection()) {
            for (IntegrationPipeline p : registry.all()) {
                String stg = ((JdbcIntegrationPipeline) p).target().stagingTable();
                // Staging is keyed by batch: purge whole batches that started before the retention cut-off.
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM `" + stg + "` WHERE `" + TargetTable.BATCH_ID
                        + "` <= (SELECT COALESCE(MAX(id), 0) FROM ferry_batch WHERE integration = ? AND started_at < NOW(3) - INTERVAL ? DAY) "
                        + "AND NOT EXISTS (SELECT 1 FROM ferry_parked p WHERE p.integration = ? AND p.status = 'PARKED' AND p.batch_id = `"
                        + stg + "`.`" + TargetTable.BATCH_ID + "` AND p.row_num = `" + stg + "`.`" + TargetTable.ROW + "`) LIMIT 10000")) {
                    ps.setString(1, p.integration());
                    ps.setInt(2, settings.stagingRetentionDays());
                    ps.setString(3, p.integration());
                    int n;
                    do {
                        n = ps.executeUpdate();
                        deleted += n;
                    } while (n == 10000);
                }
            }
            deleted += IdempotencyStore.purge(c, Duration.ofDays(settings.idempotencyRetentionDays()));
            // push requests acknowledged once staged (ferry-push acknowledge=staged): promoted ones, kept as long as staging
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM ferry_push_inbox WHERE status = 'PROMOTED' "
                    + "AND promoted_at < NOW(3) - INTERVAL ? DAY")) {
                ps.setInt(1, settings.stagingRetentionDays());
                deleted += ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Housekeeping failed: " + e.getMessage(), e);
        }
        LOG.info("Housekeeping deleted {} rows past retention (staging {} days, keys {} days)", deleted,
                settings.stagingRetentionDays(), settings.idempotencyRetentionDays());
        return deleted;
    }

    @Override
    public void close() {
        if (lookupPool != null) {
            lookupPool.close();
        }
        dataSource.close();
    }
}
