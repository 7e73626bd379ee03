package dev.ferry.ops;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Readiness: no integration is failing — DOWN when an integration's last {@code failedRuns} finished runs all
 * FAILED (its source or target is out). A paused integration or a route stopped from Hawtio is an operator's
 * choice, not a fault: reported in the details, never DOWN. Never liveness.
 */
final class IntegrationsHealthCheck extends AbstractHealthCheck {

    private final IntegrationOperations ops;
    private final int failedRuns;

    IntegrationsHealthCheck(IntegrationOperations ops, int failedRuns) {
        super("ferry", "integrations");
        this.ops = ops;
        this.failedRuns = failedRuns;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> failing = new ArrayList<>();
        try {
            for (String integration : ops.integrations()) {
                List<String> last = ops.ledger().lastStatuses(integration, failedRuns);
                boolean allFailed = last.size() == failedRuns && last.stream().allMatch("FAILED"::equals);
                if (allFailed) {
                    failing.add(integration);
                }
                builder.detail(integration, ops.pause(integration).isPresent() ? "paused" : allFailed ? "failing" : "ok");
            }
        } catch (RuntimeException e) {
            builder.message("could not read the ledger: " + e.getMessage()).down();
            return;
        }
        if (failing.isEmpty()) {
            builder.up();
        } else {
            builder.message("the last " + failedRuns + " runs failed: " + failing).down();
        }
    }
}
