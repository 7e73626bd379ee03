package dev.ferry.db;

import com.mysql.cj.NativeSession;
import com.mysql.cj.jdbc.JdbcConnection;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The only thing Ferry's connections ever send in answer to a server's "send me a local file" request.
 *
 * <p>Why it exists: {@code LOAD DATA LOCAL} needs {@code allowLoadLocalInfile=true}, and with it Connector/J
 * (9.7, {@code NativeProtocol.getFileStream}) reads whatever file or URL the <em>server</em> names — in
 * answer to any statement, not only a LOAD DATA — unless a stream is hooked on the connection, in which case
 * it sends that stream whatever name the server gave. {@code allowLoadLocalInfileInPath} is no help: on that
 * path the driver ignores the hooked stream and reads only real files. So every Ferry connection carries one
 * gate as its hooked stream (installed before each statement by {@link LocalInfileGuard}): armed with a
 * staging batch for exactly one LOAD DATA statement, and answering every other request with an empty file
 * (and a warning in the log). A rogue or compromised server can therefore never read {@code /proc/self/environ}
 * or any other local file. Empty rather than an I/O error: an error mid-request leaves the connection's packets
 * out of order, and the server learns nothing either way.
 */
public final class LocalInfileGate extends InputStream {

    private static final Logger LOG = LoggerFactory.getLogger(LocalInfileGate.class);

    private InputStream batch;
    private boolean refusalLogged;

    /** Arms the connection's gate with one batch; closing the handle disarms it. */
    public static Armed arm(Connection c, InputStream batch) throws SQLException {
        LocalInfileGate gate = install(c.unwrap(JdbcConnection.class));
        gate.batch = batch;
        return () -> gate.batch = null;
    }

    /** Puts a gate on the connection unless it has one; returns it. */
    static LocalInfileGate install(JdbcConnection connection) {
        NativeSession session = (NativeSession) connection.getSession();
        if (session == null || session.getProtocol() == null) {
            return new LocalInfileGate(); // not connected yet: nothing can be requested
        }
        if (session.getLocalInfileInputStream() instanceof LocalInfileGate gate) {
            return gate;
        }
        LocalInfileGate gate = new LocalInfileGate();
        session.setLocalInfileInputStream(gate);
        return gate;
    }

    /** Null when the gate is not armed: the request did not come from Ferry's own LOAD DATA. */
    private InputStream armed() {
        if (batch == null && !refusalLogged) {
            refusalLogged = true;
            LOG.warn("The database asked for a local file outside Ferry's LOAD DATA staging; it was sent an empty file");
        }
        return batch;
    }

    @Override
    public int read() throws IOException {
        InputStream in = armed();
        return in == null ? -1 : in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        InputStream in = armed();
        return in == null ? -1 : in.read(b, off, len);
    }

    /** The driver closes the stream it sent: that ends the batch, not the gate. */
    @Override
    public void close() {
        batch = null;
        refusalLogged = false;
    }

    /** An armed gate; closing it disarms. */
    public interface Armed extends AutoCloseable {
        @Override
        void close();
    }
}
