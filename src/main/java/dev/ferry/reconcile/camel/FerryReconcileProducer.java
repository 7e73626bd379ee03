package dev.ferry.reconcile.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

import java.time.LocalDate;

/** Runs the reconciliation once per exchange, synchronously; the outcome becomes the body and headers. */
public class FerryReconcileProducer extends DefaultProducer {

    public FerryReconcileProducer(FerryReconcileEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public FerryReconcileEndpoint getEndpoint() {
        return (FerryReconcileEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        FerryReconcileEndpoint endpoint = getEndpoint();
        Message in = exchange.getMessage();
        LocalDate date = endpoint.businessDate(in.getHeader(FerryReconcileEndpoint.HEADER_DATE, String.class), null);
        String version = in.getHeader(FerryReconcileEndpoint.HEADER_VERSION, endpoint.getVersion(), String.class);
        boolean correct = in.getHeader(FerryReconcileEndpoint.HEADER_CORRECT, endpoint.isCorrect(), Boolean.class);
        ReconcileOutcome outcome = endpoint.runner().run(date, version, endpoint.getTrigger(), endpoint.isWaitForRechecks(), correct);
        if (!endpoint.isWaitForRechecks()) {
            endpoint.recheckLater(date, version);
        }
        FerryReconcileConsumer.fill(exchange, outcome);
        if (endpoint.isFailOnMismatch() && mismatch(outcome)) {
            throw new ReconcileMismatchException(outcome);
        }
    }

    /** Differences stand (confirmed, not corrected), or failed totals made the run MISMATCH. */
    static boolean mismatch(ReconcileOutcome outcome) {
        return outcome.remaining() > 0 && !outcome.status().equals("PENDING")
                || outcome.status().equals("MISMATCH") && outcome.corrected() == 0 && outcome.differences().isEmpty();
    }
}
