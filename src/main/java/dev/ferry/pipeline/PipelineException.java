package dev.ferry.pipeline;

/** A batch or run could not be completed; the message names the integration, batch and stage. */
public class PipelineException extends RuntimeException {
    public PipelineException(String message, Throwable cause) {
        super(message, cause);
    }
}
