package dev.ferry.reconcile;

/** What kind of difference a business key shows (S4.3 detail reconciliation). */
public enum Category {
    /** In the source, not in the target: lost (or late) on the way. */
    MISSING_IN_TARGET,
    /** In the target, not in the source (two-way only). */
    MISSING_IN_SOURCE,
    /** On both sides with different values beyond the column's tolerance. */
    FIELD_MISMATCH,
    /** More than one row for the key on one side. */
    DUPLICATE_KEY,
    /** A Groovy rule (S4.2) returned an error message. */
    RULE
}
