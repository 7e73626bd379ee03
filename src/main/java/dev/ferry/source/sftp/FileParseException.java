package dev.ferry.source.sftp;

/** A file that cannot be read past some line (wrong encoding, an unclosed quote): the whole file is rejected. */
final class FileParseException extends RuntimeException {

    private final long line;

    FileParseException(long line, String message, Throwable cause) {
        super(message, cause);
        this.line = line;
    }

    long line() {
        return line;
    }
}
