package dev.ferry.source.sftp;

/** What one bad line does to its file (S0.9). */
public enum ValidationMode {
    /** One invalid line rejects the whole file: nothing is promoted, a report lists every bad line. */
    wholeFile,
    /** Bad lines go to the dead letters with their line numbers; the rest of the file is loaded. */
    perRow
}
