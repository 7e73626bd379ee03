package dev.ferry.source.sftp;

/** How a file's records are written. */
public enum FileFormat {
    /** Delimited text with a header line naming the fields (RFC 4180 quoting). */
    csv,
    /** One JSON object per line. */
    jsonl
}
