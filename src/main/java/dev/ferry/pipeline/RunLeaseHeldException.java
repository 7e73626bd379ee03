package dev.ferry.pipeline;

/**
 * A run was not started because another run of the integration holds the lease. Not a failure: the trigger
 * is skipped (the ledger records a SKIPPED run naming the holder) and the next trigger catches up.
 */
public final class RunLeaseHeldException extends RunSkippedException {

    private final RunLease.Holder holder;

    public RunLeaseHeldException(String message, RunLease.Holder holder) {
        super(message);
        this.holder = holder;
    }

    public RunLease.Holder holder() {
        return holder;
    }
}
