package dev.ferry.source.http;

/** Which time window a run asks the source for. */
public enum WindowMode {
    /** [committed position - overlap, now); the position moves to "now" on success. */
    incremental,
    /** [start of day N days ago, start of today); a compensating re-pull that leaves the position alone (S3.3). */
    remedy,
    /** [backfillFrom, backfillTo) walked in slices; commits no position (an operator's re-pull of history). */
    backfill
}
