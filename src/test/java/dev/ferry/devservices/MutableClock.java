package dev.ferry.devservices;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/** A clock tests move by hand, so "now" for windows and {@code mutate} is deterministic. Thread-safe. */
public final class MutableClock extends Clock {

    private volatile Instant now;
    private final ZoneId zone;

    public MutableClock(Instant start) {
        this(start, ShanghaiTime.ZONE);
    }

    private MutableClock(Instant start, ZoneId zone) {
        this.now = start;
        this.zone = zone;
    }

    /** A clock at the given Shanghai wall-clock time, e.g. "2026-11-23 10:00:00". */
    public static MutableClock at(String shanghaiTime) {
        return new MutableClock(ShanghaiTime.parse(shanghaiTime).atZone(ShanghaiTime.ZONE).toInstant());
    }

    public synchronized MutableClock advance(Duration by) {
        now = now.plus(by);
        return this;
    }

    public MutableClock set(Instant instant) {
        now = instant;
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MutableClock(now, zone);
    }
}
