package dev.ferry.deadletter;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Failures that are an outage (database, broker, network) somewhere in the cause chain: they fail, never dead-letter. */
final class Outages {

    private Outages() {
    }

    static boolean isOutage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLTransientException || c instanceof SQLNonTransientConnectionException || c instanceof SQLRecoverableException
                    || c instanceof ConnectException || c instanceof SocketTimeoutException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || c instanceof dev.ferry.pipeline.IntegrationPausedException
                    || c.getClass().getName().startsWith("org.apache.kafka.common.errors.") && c.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }
}
