package dev.ferry.devservices;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;

/** The sample APIs speak local wall-clock time "yyyy-MM-dd HH:mm:ss" in Asia/Shanghai, like the real ones. */
public final class ShanghaiTime {

    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    /** STRICT so that "2026-13-45 99:00:00" (a malformed record's date) is rejected, not "resolved". */
    public static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);

    private ShanghaiTime() {
    }

    /** The clock's now in Shanghai, truncated to seconds (the APIs have second resolution). */
    public static LocalDateTime now(Clock clock) {
        return LocalDateTime.ofInstant(clock.instant(), ZONE).truncatedTo(ChronoUnit.SECONDS);
    }

    public static String format(LocalDateTime time) {
        return FORMAT.format(time);
    }

    /** @throws java.time.format.DateTimeParseException on anything but a valid "yyyy-MM-dd HH:mm:ss" */
    public static LocalDateTime parse(String text) {
        return LocalDateTime.parse(text, FORMAT);
    }
}
