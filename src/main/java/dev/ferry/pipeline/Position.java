package dev.ferry.pipeline;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * A named source position: how far an integration has read its source (an HTTP watermark, a feed's newest
 * key, one file, one Kafka topic-partition, a binlog offset). Positions are committed in the promotion
 * transaction of the batch that reached them, and never move backwards.
 *
 * @param name  e.g. {@code watermark}, {@code newest-seen}, {@code file:bills_20261122.csv}, {@code orders-3}
 * @param value what the source needs to resume (shown to operators)
 * @param order a string whose byte order is the positions' order, or null for a position that has none (the
 *              latest write wins). Comparing in the database with one compare-and-set statement keeps the
 *              rule "never backwards" the same for every kind of source.
 */
public record Position(String name, String value, String order) {

    private static final DateTimeFormatter ORDER_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS");

    public Position {
        Objects.requireNonNull(name, "name");
        if (order != null && order.length() > 255) {
            throw new IllegalArgumentException("position order longer than 255 characters: " + name);
        }
    }

    /** A time position (a watermark); ordered by {@code at}, shown as {@code value}. */
    public static Position time(String name, String value, LocalDateTime at) {
        return new Position(name, value, "T" + ORDER_TIME.format(at));
    }

    /** A sequence position (an offset, an LSN); ordered by {@code n} (non-negative). */
    public static Position sequence(String name, String value, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("sequence position " + name + " is negative: " + n);
        }
        return new Position(name, value, "N" + String.format("%020d", n));
    }

    public static Position sequence(String name, long n) {
        return sequence(name, Long.toString(n), n);
    }

    /** A position made of several sequences compared in turn (a binlog file number, then the offset in it). */
    public static Position sequences(String name, String value, long... parts) {
        StringBuilder sb = new StringBuilder("S");
        for (long p : parts) {
            if (p < 0) {
                throw new IllegalArgumentException("sequence position " + name + " has a negative part: " + p);
            }
            sb.append(String.format("%020d", p));
        }
        return new Position(name, value, sb.toString());
    }

    /** A position without an order (e.g. the newest key of a feed): the latest committed one wins. */
    public static Position latest(String name, String value) {
        return new Position(name, value, null);
    }

    /** Whether moving from {@code current} to this would go backwards. */
    public boolean isBefore(Position current) {
        return order != null && current != null && current.order != null && order.compareTo(current.order) < 0;
    }
}
