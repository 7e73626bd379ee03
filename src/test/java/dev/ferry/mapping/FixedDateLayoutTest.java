package dev.ferry.mapping;

import org.junit.jupiter.api.Test;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dates read by position must give exactly what DateTimeFormatter gives, and leave every value they are not sure
 * of (invalid days, hour 24, year 0, other shapes) to the formatter.
 */
class FixedDateLayoutTest {

    /** What the formatter makes of the text: LocalDateTime, LocalDate, or the exception's class. */
    private static Object formatter(String pattern, String text) {
        try {
            TemporalAccessor p = DateTimeFormatter.ofPattern(pattern).parse(text);
            return p.isSupported(ChronoField.HOUR_OF_DAY) ? LocalDateTime.from(p) : LocalDate.from(p);
        } catch (DateTimeException e) {
            return DateTimeException.class;
        }
    }

    @Test
    void fixedWidthPatternsAreReadByPositionAndOthersAreLeftToTheFormatter() {
        assertThat(FixedDateLayout.of("yyyy-MM-dd HH:mm:ss").parse("2026-11-26 19:39:13"))
                .isEqualTo(LocalDateTime.of(2026, 11, 26, 19, 39, 13));
        assertThat(FixedDateLayout.of("dd/MM/uuuu").parse("29/02/2024")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(FixedDateLayout.of("yyyyMMddHHmm").parse("202611261939")).isEqualTo(LocalDateTime.of(2026, 11, 26, 19, 39));
        assertThat(FixedDateLayout.of("yyyy-MM-dd'T'HH:mm:ss").parse("2026-11-26T19:39:13"))
                .isEqualTo(LocalDateTime.of(2026, 11, 26, 19, 39, 13));
        for (String variable : List.of("yyyy-M-d", "yy-MM-dd", "yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd hh:mm a",
                "yyyy-MM-dd HH:mm:ssXXX", "yyyy-MM-dd[ HH:mm:ss]", "yyyy-MM-dd''HH", "yyyy-MM-dd 'at' HH:mm", "yyyy-MM",
                "yyyy-MM-dd ss", "MMM dd yyyy", "yyyy-MM-dd-dd")) {
            assertThat(FixedDateLayout.of(variable)).as(variable).isNull();
        }
    }

    @Test
    void valuesTheResolverWouldAdjustOrRefuseAreLeftToTheFormatter() {
        FixedDateLayout layout = FixedDateLayout.of("yyyy-MM-dd HH:mm:ss");
        for (String unsure : List.of("2026-02-30 00:00:00", "2026-02-29 00:00:00", "2026-13-01 00:00:00", "2026-00-10 00:00:00",
                "2026-01-00 00:00:00", "2026-01-01 24:00:00", "2026-01-01 23:60:00", "2026-01-01 23:00:60",
                "0000-01-01 00:00:00", "2026-01-01T00:00:00", "2026-01-01 00:00:0", "2026-01-01 00:00:000",
                " 2026-01-01 00:00:0", "2026-1a-01 00:00:00", "+026-01-01 00:00:00", "２０２６-01-01 00:00:00")) {
            assertThat(layout.parse(unsure)).as(unsure).isNull();
        }
        assertThat(formatter("yyyy-MM-dd HH:mm:ss", "2026-02-30 00:00:00")).isEqualTo(LocalDateTime.of(2026, 2, 28, 0, 0));
    }

    @Test
    void randomValuesGiveWhatTheFormatterGives() {
        Random random = new Random(17);
        for (String pattern : List.of("yyyy-MM-dd HH:mm:ss", "uuuu/MM/dd", "dd.MM.yyyy HH:mm", "yyyyMMdd", "yyyy-MM-dd'T'HH:mm:ss")) {
            FixedDateLayout layout = FixedDateLayout.of(pattern);
            int fast = 0;
            for (int i = 0; i < 3000; i++) {
                LocalDateTime t = LocalDateTime.of(1 + random.nextInt(9999), 1 + random.nextInt(12), 1, random.nextInt(24),
                        random.nextInt(60), random.nextInt(60));
                // days up to 31 in every month: the invalid ones must go to the formatter
                String text = DateTimeFormatter.ofPattern(pattern).format(t).replaceFirst("(?<=^|\\D)01(?=\\D|$)",
                        String.format("%02d", 1 + random.nextInt(31)));
                Object parsed = layout.parse(text);
                if (parsed != null) {
                    fast++;
                    assertThat(parsed).as("%s %s", pattern, text).isEqualTo(formatter(pattern, text));
                }
            }
            assertThat(fast).as(pattern).isGreaterThan(2000);
        }
    }

    @Test
    void isoShapesMatchWhatTheIsoFormattersGive() {
        assertThat(FixedDateLayout.ISO_DATE_TIME.parse("2024-02-29T23:59:59"))
                .isEqualTo(LocalDateTime.parse("2024-02-29T23:59:59", DateTimeFormatter.ISO_DATE_TIME));
        assertThat(FixedDateLayout.ISO_DATE.parse("2024-02-29")).isEqualTo(LocalDate.parse("2024-02-29"));
        assertThat(FixedDateLayout.ISO_DATE.parse("2023-02-29")).isNull();
        assertThat(FixedDateLayout.ISO_DATE_TIME.parse("2024-02-29T23:59:59Z")).isNull();
        assertThat(FixedDateLayout.ISO_DATE_TIME.parse("2024-02-29T23:59:59.5")).isNull();
        assertThat(FixedDateLayout.ISO_DATE_TIME.parse("2024-02-29 23:59:59")).isNull();
    }
}
