package dev.ferry.ops;

import dev.ferry.pipeline.Alerts;

import java.util.Map;

/**
 * One way an alert reaches people besides the log line: a webhook, a Kafka topic, mail. The channel decides
 * what is delivered (level, suppression of repeats) and calls {@link #deliver} on its own thread.
 */
interface AlertSink extends AutoCloseable {

    /** For log lines: which sink failed. */
    String name();

    /** Alerts below this level are not delivered here. */
    Alerts.Level level();

    /** Delivers one alert (JSON-ready: level, integration, kind, message, time, suppressedRepeats); throws when it did not. */
    void deliver(Map<String, Object> alert) throws Exception;

    @Override
    default void close() {
    }
}
