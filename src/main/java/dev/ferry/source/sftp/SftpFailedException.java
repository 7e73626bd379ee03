package dev.ferry.source.sftp;

/** The server could not be reached, refused the login or the host key, or a download kept failing. */
public final class SftpFailedException extends RuntimeException {

    public SftpFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
