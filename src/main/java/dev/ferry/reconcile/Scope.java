package dev.ferry.reconcile;

import java.time.LocalDate;

/**
 * What one reconciliation covers (S4.1): an integration and a business date or a batch version; both null
 * means the whole table. Each side applies it to its own scope column.
 */
public record Scope(String integration, LocalDate businessDate, String batchVersion) {

    public static Scope all(String integration) {
        return new Scope(integration, null, null);
    }

    public static Scope day(String integration, LocalDate date) {
        return new Scope(integration, date, null);
    }

    public static Scope version(String integration, String version) {
        return new Scope(integration, null, version);
    }

    /** The scope value a side filters on, or null. */
    Object value() {
        return businessDate != null ? businessDate : batchVersion;
    }
}
