package dev.ferry.reconcile.camel;

import dev.ferry.reconcile.ReconcileException;

/** A reconciliation left differences standing and the endpoint was told to fail on it ({@code failOnMismatch=true}). */
public class ReconcileMismatchException extends ReconcileException {

    private final transient ReconcileOutcome outcome;

    public ReconcileMismatchException(ReconcileOutcome outcome) {
        super("reconciliation " + outcome.run().integration() + " run " + outcome.run().id() + " " + outcome.status() + ": "
                + outcome.remaining() + " difference(s) standing");
        this.outcome = outcome;
    }

    public ReconcileOutcome outcome() {
        return outcome;
    }
}
