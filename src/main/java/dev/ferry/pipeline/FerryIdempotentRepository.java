package dev.ferry.pipeline;

import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ferry's idempotent repository for Camel's {@code idempotentConsumer} EIP, in its own key space (table
 * {@code ferry_idempotent_repository}, per integration): a route's {@link #remove} or {@link #clear} never
 * touches the claims the bulk pipeline keeps in {@code ferry_idempotency}. Written instead of camel-sql's {@code JdbcMessageIdRepository} because that one has no
 * primary key, does a SELECT then an INSERT per message (and fails the losing replica of a key race on
 * 4.18), never purges, and knows nothing of content (DESIGN.md, "Known traps").
 *
 * <p>A message id is either a business key, or a business key and a content hash joined by {@code #}
 * ({@code "SO-1001#9e107d9d372bb6826bd81d3542a419d6"}, e.g. {@code ${header.key}#${header.hash}}). With a
 * hash, {@link #add} answers true for a new key <em>and</em> for a known key whose content changed, and
 * false only for an unchanged record — so the EIP lets updates through and drops true duplicates.
 *
 * <p>Every call is one atomic statement ({@code INSERT … ON DUPLICATE KEY UPDATE}), so two replicas racing
 * on one key never both win and never see an error. Every {@code add} of a known key refreshes its
 * {@code last_seen}, so retention purges only keys no route has seen for {@code ferry.idempotency.retention-days}.
 */
@ManagedResource(description = "Ferry idempotent repository (MySQL)")
public final class FerryIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    static final String TABLE = "ferry_idempotent_repository";
    private static final Pattern KEY_WITH_HASH = Pattern.compile("^(.*)#([0-9a-f]{32})$");
    /** Stands for "no content hash given": a key-only id never counts as changed. */
    private static final String NO_HASH = "-".repeat(32);

    private final DataSource dataSource;
    private final String integration;

    public FerryIdempotentRepository(DataSource dataSource, String integration) {
        this.dataSource = dataSource;
        this.integration = integration;
    }

    @Override
    public boolean add(String messageId) {
        Matcher m = KEY_WITH_HASH.matcher(messageId);
        String key = m.matches() ? m.group(1) : messageId;
        String hash = m.matches() ? m.group(2) : NO_HASH;
        // Affected rows (the pool sets useAffectedRows): 1 = inserted, 2 = hash changed (last_seen with it), 0 =
        // unchanged. A key-only id keeps a stored hash as it is, so it reads as unchanged once the key is known.
        // The decision is this one atomic statement; refreshing last_seen of an unchanged key is a second one
        // (in the first it would turn "unchanged" into 2 affected rows).
        String sql = "INSERT INTO " + TABLE
                + " (repository, key_hash, message_key, content_hash, last_seen) VALUES (?, UNHEX(MD5(?)), ?, ?, NOW(3))"
                + " ON DUPLICATE KEY UPDATE last_seen = IF(content_hash = ? OR ? = '" + NO_HASH + "', last_seen, NOW(3)),"
                + " content_hash = IF(? = '" + NO_HASH + "', content_hash, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, integration);
            ps.setString(2, key);
            ps.setString(3, key);
            ps.setString(4, hash);
            ps.setString(5, hash);
            ps.setString(6, hash);
            ps.setString(7, hash);
            ps.setString(8, hash);
            boolean added = ps.executeUpdate() > 0;
            if (!added) {
                try (PreparedStatement touch = c.prepareStatement("UPDATE " + TABLE + " SET last_seen = NOW(3) "
                        + "WHERE repository = ? AND key_hash = UNHEX(MD5(?))")) {
                    touch.setString(1, integration);
                    touch.setString(2, key);
                    touch.executeUpdate();
                }
            }
            return added;
        } catch (SQLException e) {
            throw new IllegalStateException(integration + ": idempotent repository could not record key '" + key + "': " + e.getMessage(), e);
        }
    }

    @Override
    public boolean contains(String messageId) {
        Matcher m = KEY_WITH_HASH.matcher(messageId);
        String key = m.matches() ? m.group(1) : messageId;
        String sql = "SELECT content_hash FROM " + TABLE + " WHERE repository = ? AND key_hash = UNHEX(MD5(?))";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, integration);
            ps.setString(2, key);
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                return !m.matches() || m.group(2).equals(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(integration + ": idempotent repository lookup failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean remove(String messageId) {
        Matcher m = KEY_WITH_HASH.matcher(messageId);
        String key = m.matches() ? m.group(1) : messageId;
        return update("DELETE FROM " + TABLE + " WHERE repository = ? AND key_hash = UNHEX(MD5(?))", key) > 0;
    }

    @Override
    public boolean confirm(String messageId) {
        return true; // add() already committed the key
    }

    @Override
    public void clear() {
        update("DELETE FROM " + TABLE + " WHERE repository = ?", null);
    }

    private int update(String sql, String key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, integration);
            if (key != null) {
                ps.setString(2, key);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(integration + ": idempotent repository update failed: " + e.getMessage(), e);
        }
    }

    @Override
    protected void doStart() {
        // the table is created by Ferry's migrations
    }

    @Override
    protected void doStop() {
        // the pool belongs to Ferry
    }
}
