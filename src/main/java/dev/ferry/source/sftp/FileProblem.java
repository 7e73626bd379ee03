package dev.ferry.source.sftp;

/** A bad line of a file: its number and why. */
public record FileProblem(long line, String reason) {
}
