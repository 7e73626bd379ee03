package dev.ferry.ops;

/**
 * One integration's operations in JMX ({@code ferry:type=integration,name=<integration>}), clickable in
 * Hawtio. Attributes are read-only: state changes only through the operations, which the Jolokia policy
 * ({@code jolokia-access.xml}) allows by name.
 */
public interface FerryIntegrationMBean {

    String getIntegration();

    boolean isPaused();

    String getPausedBy();

    String getPauseReason();

    String getState();

    String getLastRunStatus();

    long getOpenDeadLetters();

    /** Triggers the integration's pull now (in the background). */
    String runNow();

    /** Re-pulls the window [from, to) in the route's position pattern; the position is not moved. */
    String backfill(String from, String to);

    /** Replays the integration's NEW dead letters as one run. */
    String replayDeadLetters();

    /** Pauses the integration on every replica until resumed (stored in the database). */
    String pause(String reason);

    String resume();
}
