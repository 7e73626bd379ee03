package dev.ferry.mapping;

/** A mapping file that cannot be loaded. The message names the file and, where there is one, the field. */
public class MappingException extends RuntimeException {

    public MappingException(String message) {
        super(message);
    }

    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }
}
