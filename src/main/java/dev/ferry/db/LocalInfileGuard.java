package dev.ferry.db;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.jdbc.JdbcConnection;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Message;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;

import java.util.Properties;
import java.util.function.Supplier;

/**
 * Connector/J query interceptor (pool property {@code queryInterceptors}) that puts a {@link LocalInfileGate}
 * on the connection before every statement, including the driver's own set-up queries (interceptors are
 * active while the connection initialises), so no statement runs without the gate. A server can ask for a
 * local file only in answer to a statement.
 */
public final class LocalInfileGuard implements QueryInterceptor {

    private MysqlConnection connection;

    @Override
    public QueryInterceptor init(MysqlConnection conn, Properties props, Log log) {
        this.connection = conn;
        return this;
    }

    @Override
    public <T extends Resultset> T preProcess(Supplier<String> sql, Query interceptedQuery) {
        guard();
        return null;
    }

    @Override
    public <M extends Message> M preProcess(M queryPacket) {
        guard();
        return null;
    }

    private void guard() {
        if (connection instanceof JdbcConnection jdbc) {
            LocalInfileGate.install(jdbc);
        }
    }

    @Override
    public boolean executeTopLevelOnly() {
        return false;
    }

    @Override
    public void destroy() {
        connection = null;
    }

    @Override
    public <T extends Resultset> T postProcess(Supplier<String> sql, Query interceptedQuery, T originalResultSet,
                                               ServerSession serverSession) {
        return null;
    }
}
