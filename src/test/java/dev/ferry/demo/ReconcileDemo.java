package dev.ferry.demo;

import org.apache.camel.ProducerTemplate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The reconciliation part of the demo (issue 10 item 13): after the Kafka events are loaded, one user_account row
 * is broken behind Ferry's back and another deleted; {@code ferry-reconcile:user-registrations?correct=true} (the
 * topic against the table, mappings/user-registrations.reconcile.yaml) finds both, replays them from the topic
 * through the integration, and re-checks.
 */
final class ReconcileDemo {

    private String summary = "not run";

    boolean run(ProducerTemplate template, Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("UPDATE user_account SET email = 'broken@example.com' WHERE user_id = 5");
            s.execute("DELETE FROM user_account WHERE user_id = 100007");
        }
        System.out.println("   broke user 5's email and deleted user 100007 in user_account, behind Ferry's back");
        Map<?, ?> outcome = template.requestBody("ferry-reconcile:user-registrations?correct=true&trigger=demo", (Object) null, Map.class);
        List<?> differences = (List<?>) outcome.get("differences");
        for (Object o : differences) {
            Map<?, ?> d = (Map<?, ?>) o;
            System.out.printf("   difference #%s %s key=%s %s → %s%n", d.get("id"), d.get("category"), d.get("key"),
                    d.get("fields") == null || d.get("fields").toString().isEmpty() ? "" : "fields=" + d.get("fields"), d.get("state"));
        }
        String email = one(c, "SELECT email FROM user_account WHERE user_id = 5");
        String restored = one(c, "SELECT email FROM user_account WHERE user_id = 100007");
        boolean ok = differences.size() == 2 && Integer.valueOf(2).equals(outcome.get("corrected"))
                && Integer.valueOf(0).equals(outcome.get("remaining"))
                && "user5@example.com".equals(email) && "user100007@example.com".equals(restored);
        summary = String.format("run %s (%s rows in the topic, %s in the table): %d differences found, %s corrected, %s remaining; "
                        + "user 5 email now %s, user 100007 %s", outcome.get("runId"), outcome.get("sourceRows"), outcome.get("targetRows"),
                differences.size(), outcome.get("corrected"), outcome.get("remaining"), email, restored == null ? "still missing" : "back");
        System.out.println("   " + summary);
        return ok;
    }

    /** The line the demo's final summary prints. */
    String summary() {
        return summary;
    }

    private static String one(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
