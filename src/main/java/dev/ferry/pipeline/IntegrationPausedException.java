package dev.ferry.pipeline;

/** A run was not started because an operator paused the integration ({@code ferry_pause}). */
public final class IntegrationPausedException extends RunSkippedException {

    private final PauseStore.Pause pause;

    public IntegrationPausedException(String message, PauseStore.Pause pause) {
        super(message);
        this.pause = pause;
    }

    public PauseStore.Pause pause() {
        return pause;
    }
}
