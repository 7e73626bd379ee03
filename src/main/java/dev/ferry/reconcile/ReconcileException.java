package dev.ferry.reconcile;

/** A reconciliation could not run: a side unreachable, a definition invalid. Never a difference. */
public class ReconcileException extends RuntimeException {

    public ReconcileException(String message) {
        super(message);
    }

    public ReconcileException(String message, Throwable cause) {
        super(message, cause);
    }
}
