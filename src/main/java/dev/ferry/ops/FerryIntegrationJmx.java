package dev.ferry.ops;

import java.util.Map;

/** The MBean of one integration: delegates to {@link IntegrationOperations}; holds no secret and no settings. */
final class FerryIntegrationJmx implements FerryIntegrationMBean {

    private static final String BY = "jmx";

    private final String integration;
    private final IntegrationOperations ops;

    FerryIntegrationJmx(String integration, IntegrationOperations ops) {
        this.integration = integration;
        this.ops = ops;
    }

    @Override
    public String getIntegration() {
        return integration;
    }

    @Override
    public boolean isPaused() {
        return ops.pause(integration).isPresent();
    }

    @Override
    public String getPausedBy() {
        return ops.pause(integration).map(p -> p.pausedBy()).orElse(null);
    }

    @Override
    public String getPauseReason() {
        return ops.pause(integration).map(p -> p.reason()).orElse(null);
    }

    @Override
    public String getState() {
        return String.valueOf(state().get("state"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public String getLastRunStatus() {
        Object last = state().get("lastRun");
        return last == null ? null : String.valueOf(((Map<String, Object>) last).get("status"));
    }

    @Override
    public long getOpenDeadLetters() {
        return ((Number) state().get("openDeadLetters")).longValue();
    }

    private Map<String, Object> state() {
        return ops.states().stream().filter(s -> integration.equals(s.get("integration"))).findFirst().orElseThrow();
    }

    @Override
    public String runNow() {
        return ops.runNow(integration, BY);
    }

    @Override
    public String backfill(String from, String to) {
        return ops.backfill(integration, from, to, BY);
    }

    @Override
    public String replayDeadLetters() {
        return ops.replayDeadLetters(integration, BY);
    }

    @Override
    public String pause(String reason) {
        return ops.pause(integration, BY, reason);
    }

    @Override
    public String resume() {
        return ops.resume(integration, BY);
    }
}
