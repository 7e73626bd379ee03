package dev.ferry.ops;

import dev.ferry.Ferry;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import dev.ferry.pipeline.PauseStore;
import dev.ferry.source.http.FerryHttpProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ferry's operator actions, shared by the MBeans (Hawtio), the admin API and the status page: run now,
 * backfill, replay dead letters, pause and resume — and each integration's state.
 */
public final class IntegrationOperations {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationOperations.class);

    private final CamelContext camel;
    private final Ferry ferry;
    private final PauseStore pauses;
    private final LedgerQueries ledger;
    private volatile ProducerTemplate template;

    IntegrationOperations(CamelContext camel, Ferry ferry) {
        this.camel = camel;
        this.ferry = ferry;
        this.pauses = new PauseStore(ferry.dataSource());
        this.ledger = new LedgerQueries(ferry.dataSource());
    }

    LedgerQueries ledger() {
        return ledger;
    }

    javax.sql.DataSource dataSource() {
        return ferry.dataSource();
    }

    public List<String> integrations() {
        return ferry.integrations().all().stream().map(p -> p.integration()).sorted().toList();
    }

    /** Triggers the integration's pull route ({@code direct:<integration>-pull}) now; the run goes on in the background. */
    public String runNow(String integration, String by) {
        return trigger(integration, Map.of(), "run", by);
    }

    /** Re-pulls the window [from, to) without moving the position (an HTTP pull's backfill headers). */
    public String backfill(String integration, String from, String to, String by) {
        if (from == null || from.isBlank() || to == null || to.isBlank()) {
            throw new IllegalArgumentException("backfill of " + integration + " needs both 'from' and 'to'");
        }
        return trigger(integration, Map.of(FerryHttpProducer.HEADER_BACKFILL_FROM, from, FerryHttpProducer.HEADER_BACKFILL_TO, to),
                "backfill [" + from + ", " + to + ")", by);
    }

    private String trigger(String integration, Map<String, Object> headers, String what, String by) {
        requireKnown(integration);
        Optional<PauseStore.Pause> pause = pauses.get(integration);
        if (pause.isPresent()) {
            throw new IllegalStateException(integration + " is paused by " + pause.get().pausedBy() + "; resume it first");
        }
        Endpoint pull = camel.hasEndpoint("direct:" + integration + "-pull");
        if (pull == null) {
            throw new IllegalStateException("no route pulls " + integration + " (expected a route from direct:" + integration + "-pull)");
        }
        LOG.info("{}: {} requested by {}", integration, what, by);
        template().asyncSend(pull, e -> e.getMessage().setHeaders(new LinkedHashMap<>(headers)))
                .whenComplete((done, failure) -> {
                    Throwable t = failure != null ? failure : done.getException();
                    if (t != null) {
                        LOG.warn("{}: the {} requested by {} failed: {}", integration, what, by, t.getMessage());
                    }
                });
        return integration + ": " + what + " started (see the runs of the integration)";
    }

    /** Replays the integration's NEW dead letters through its pipeline as one run; returns the outcome. */
    public String replayDeadLetters(String integration, String by) {
        JdbcIntegrationPipeline pipeline = requireKnown(integration);
        LOG.info("{}: dead-letter replay requested by {}", integration, by);
        BatchResult r = pipeline.replayDeadLetters(List.of());
        return integration + ": replayed (batch " + r.batchId() + "): " + r.promoted() + " promoted, " + r.rejected() + " still rejected";
    }

    public String pause(String integration, String by, String reason) {
        requireKnown(integration);
        pauses.pause(integration, by, reason);
        LOG.info("{}: paused by {}{}", integration, by, reason == null || reason.isBlank() ? "" : " (" + reason + ")");
        return integration + ": paused";
    }

    public String resume(String integration, String by) {
        requireKnown(integration);
        boolean was = pauses.resume(integration);
        LOG.info("{}: resumed by {}{}", integration, by, was ? "" : " (it was not paused)");
        return integration + (was ? ": resumed" : ": was not paused");
    }

    public Optional<PauseStore.Pause> pause(String integration) {
        return pauses.get(integration);
    }

    /** Each integration's state: paused, stopped (its routes), failing (its last runs failed) or running; its last run. */
    public List<Map<String, Object>> states() {
        Map<String, PauseStore.Pause> paused = pauses.all();
        Map<String, Map<String, Object>> lastRuns = ledger.lastRuns();
        Map<String, java.time.LocalDateTime> positions = ledger.positionTimes();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String integration : integrations()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("integration", integration);
            List<Map<String, Object>> routes = new ArrayList<>();
            boolean anyStopped = false;
            for (Route r : camel.getRoutes()) {
                if (r.getRouteId().equals(integration) || r.getRouteId().startsWith(integration + "-")) {
                    String status = camel.getRouteController().getRouteStatus(r.getRouteId()).name();
                    anyStopped |= !"Started".equals(status);
                    routes.add(Map.of("id", r.getRouteId(), "status", status));
                }
            }
            Map<String, Object> last = lastRuns.get(integration);
            boolean failing = "FAILED".equals(last == null ? null : last.get("status"));
            PauseStore.Pause p = paused.get(integration);
            s.put("state", p != null ? "paused" : anyStopped ? "stopped" : failing ? "failing" : "running");
            if (p != null) {
                s.put("pausedBy", p.pausedBy());
                s.put("pauseReason", p.reason());
                s.put("pausedAt", p.pausedAt());
            }
            s.put("routes", routes);
            s.put("lastRun", last);
            s.put("positionUpdatedAt", positions.get(integration));
            s.put("openDeadLetters", ledger.rows("SELECT COUNT(*) AS n FROM ferry_dead_letter WHERE integration = ? AND status = 'NEW'",
                    integration).get(0).get("n"));
            out.add(s);
        }
        return out;
    }

    JdbcIntegrationPipeline requireKnown(String integration) {
        if (integration == null || !ferry.integrations().all().stream().anyMatch(p -> p.integration().equals(integration))) {
            throw new IllegalArgumentException("unknown integration: " + integration + " (known: " + integrations() + ")");
        }
        return ferry.pipeline(integration);
    }

    private ProducerTemplate template() {
        if (template == null) {
            synchronized (this) {
                if (template == null) {
                    template = camel.createProducerTemplate();
                }
            }
        }
        return template;
    }

    void close() {
        if (template != null) {
            try {
                template.close();
            } catch (Exception e) {
                LOG.debug("closing the operations template: {}", e.getMessage());
            }
        }
    }
}
