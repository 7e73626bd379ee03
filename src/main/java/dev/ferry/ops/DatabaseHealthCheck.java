package dev.ferry.ops;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.Map;

/**
 * Readiness: Ferry's database answers within two seconds. Never liveness: a database outage must not get
 * the pod restarted (the runs fail and retry on the next trigger; restarting helps nothing).
 */
final class DatabaseHealthCheck extends AbstractHealthCheck {

    private final DataSource dataSource;

    DatabaseHealthCheck(DataSource dataSource) {
        super("ferry", "database");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(2)) {
                builder.up();
            } else {
                builder.message("the database did not answer within 2 s").down();
            }
        } catch (Exception e) {
            builder.message("the database is unreachable: " + e.getMessage()).down();
        }
    }
}
