package dev.ferry.mapping;

/**
 * A lookup table could not be read (missing table or column, lost connection, pool exhausted). Not the
 * record's fault: the batch and the run fail and the next trigger retries; the record is never dead-lettered.
 */
public final class LookupUnavailableException extends RuntimeException {

    public LookupUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
