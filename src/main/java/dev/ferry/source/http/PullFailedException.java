package dev.ferry.source.http;

/**
 * A pull that stopped. The message names the integration, what failed (method, url without secrets,
 * status line and a body excerpt) and where the watermark stays, so a log line alone tells an operator
 * what happened and that nothing was skipped.
 */
public class PullFailedException extends RuntimeException {

    public PullFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
