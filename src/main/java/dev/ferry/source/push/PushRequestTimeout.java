package dev.ferry.source.push;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * How long a push server waits for a request to arrive in full (request line, headers and body) before it closes the
 * connection: without a bound, a client that sends half a request holds one of the 4 workers for good.
 *
 * <p>The JDK's HttpServer has one knob for it and no per-server API: the JVM-wide system property
 * {@value #JDK_PROPERTY} (whole seconds; unset = no limit). In JDK 17 it counts from the moment the connection is
 * accepted (or its previous answer sent) until the request's body is read — time waiting in the workers' queue counts,
 * the handler's own work (a promotion) does not. A request cut off was not accepted (nothing promoted or kept): the
 * client sees the connection closed and retries. The
 * JDK reads it once, when the first HttpServer of the JVM is created; the push servers are the only ones Ferry
 * creates, so it is set here, before the first of them, from {@value #SETTING} — unless the operator already set the
 * JDK property, which wins.
 */
final class PushRequestTimeout {

    static final String JDK_PROPERTY = "sun.net.httpserver.maxReqTime";
    static final String SETTING = "ferry.push.request-timeout";
    static final Duration DEFAULT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(PushRequestTimeout.class);

    private PushRequestTimeout() {
    }

    /** @param setting the {@value #SETTING} value (an ISO-8601 duration), or null for the default */
    static synchronized void apply(String setting) {
        String operators = System.getProperty(JDK_PROPERTY);
        if (operators != null) {
            LOG.info("Push servers cut off requests not received in full within {} s ({} set for this JVM; {} is not used)",
                    operators, JDK_PROPERTY, SETTING);
            return;
        }
        Duration timeout = setting == null || setting.isBlank() ? DEFAULT : Duration.parse(setting.trim());
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(SETTING + " must be positive: " + setting);
        }
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000); // the JDK counts whole seconds
        System.setProperty(JDK_PROPERTY, Long.toString(seconds));
        LOG.info("Push servers cut off requests not received in full within {} s ({})", seconds, SETTING);
    }
}
