package dev.ferry.pipeline;

/**
 * A run was not started and that is not a failure: the lease is held by another run, or an operator paused
 * the integration. The ledger holds a SKIPPED run with the reason; the trigger is skipped.
 */
public class RunSkippedException extends PipelineException {
    public RunSkippedException(String message) {
        super(message, null);
    }
}
