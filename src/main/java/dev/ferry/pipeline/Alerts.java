package dev.ferry.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * Where Ferry's alerts go: a reconciliation mismatch, a lost run lease, a run ended MISMATCH, an SFTP server
 * unusable or a file rejected. The default writes the {@code ALERT} log line; operations ({@code dev.ferry.ops})
 * installs a channel that also posts to webhooks and suppresses repeats. Sources and the pipeline raise
 * alerts here and never depend on how they are delivered.
 */
public interface Alerts {

    enum Level { WARNING, CRITICAL }

    /**
     * @param kind a short stable name of what happened ({@code reconciliation-mismatch}, {@code lease-lost},
     *             {@code run-mismatch}, {@code sftp-unusable}, {@code file-rejected}, {@code file-missing}):
     *             repeats are recognised by integration and kind
     */
    record Alert(Level level, String integration, String kind, String message) {
        public Alert {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }

        /** The log line every alert writes: {@code ALERT <integration>: <message>}. */
        public String line() {
            return "ALERT " + (integration == null ? "ferry" : integration) + ": " + message;
        }
    }

    void raise(Alert alert);

    /** The log sink: always on, whatever else is configured. */
    Alerts LOG = new Alerts() {
        private final Logger log = LoggerFactory.getLogger("dev.ferry.alerts");

        @Override
        public void raise(Alert alert) {
            if (alert.level() == Level.CRITICAL) {
                log.error(alert.line());
            } else {
                log.warn(alert.line());
            }
        }
    };

    /** Raises an alert on the process's channel. */
    static void raise(Level level, String integration, String kind, String message) {
        Channel.current.raise(new Alert(level, integration, kind, message));
    }

    /**
     * Installs the process's channel (null restores the log sink). Process-wide like a logger, because alerts
     * are raised deep inside classes built in many places (reconciler, lease, SFTP poll).
     */
    static void use(Alerts channel) {
        Channel.current = channel == null ? LOG : channel;
    }

    static Alerts current() {
        return Channel.current;
    }

    /** Holder of the process's channel (an interface cannot hold a mutable field itself). */
    final class Channel {
        private static volatile Alerts current = LOG;

        private Channel() {
        }
    }
}
