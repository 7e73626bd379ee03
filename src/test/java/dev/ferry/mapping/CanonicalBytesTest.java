package dev.ferry.mapping;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The content hash's input, written byte by byte, must be exactly the UTF-8 of the canonical string the hash was
 * built from before (stored hashes of existing installs stay valid): "length:text;" per value, "~;" for null.
 */
class CanonicalBytesTest {

    /** The hash input as it was first defined: one String, then its UTF-8 bytes. */
    private static String reference(List<Object> values) {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            if (v == null) {
                sb.append("~;");
            } else {
                String s = Values.text(v);
                sb.append(s.length()).append(':').append(s).append(';');
            }
        }
        return sb.toString();
    }

    private static String written(List<Object> values) {
        CanonicalBytes c = new CanonicalBytes();
        c.reset();
        for (Object v : values) {
            c.value(v);
        }
        return new String(Arrays.copyOf(c.buffer(), c.length()), StandardCharsets.UTF_8);
    }

    private static byte[] writtenBytes(List<Object> values) {
        CanonicalBytes c = new CanonicalBytes();
        for (Object v : values) {
            c.value(v);
        }
        return Arrays.copyOf(c.buffer(), c.length());
    }

    @Test
    void everyKindOfValueIsWrittenAsItsCanonicalText() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", 1);
        map.put("b", List.of("x", "y"));
        List<Object> values = Arrays.asList(null, "", "plain", "tab\there\nnew\rline\\back\0nul", "杭州 café 😀",
                0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0L, 42L, -1234567890123L, Long.MAX_VALUE, Long.MIN_VALUE,
                (short) 7, (byte) -3, new BigInteger("123456789012345678901234567890"),
                new BigDecimal("0"), new BigDecimal("10.00"), new BigDecimal("-0.05"), new BigDecimal("1E+3"),
                new BigDecimal("123456789012345678901234.5678"), 2.5d, 1e-7d, 3.0f,
                true, false,
                LocalDate.of(2026, 11, 26), LocalDate.of(1, 1, 1), LocalDate.of(0, 6, 30), LocalDate.of(9999, 12, 31),
                LocalDate.of(10000, 1, 1), LocalDate.of(-5, 3, 4),
                LocalDateTime.of(2024, 1, 2, 3, 4, 0), LocalDateTime.of(2024, 1, 2, 3, 4, 5, 120_000_000),
                LocalDateTime.of(987, 12, 31, 23, 59, 59, 1), LocalDateTime.of(2024, 2, 29, 0, 0, 0, 999_999_999),
                LocalDateTime.of(2024, 2, 29, 0, 0, 0, 100_000), LocalDateTime.of(12345, 1, 1, 0, 0),
                map, List.of(1, "two", 3.5));
        for (Object v : values) {
            assertThat(written(Arrays.asList(v))).as("value %s (%s)", v, v == null ? null : v.getClass().getSimpleName())
                    .isEqualTo(reference(Arrays.asList(v)));
        }
        assertThat(writtenBytes(values)).isEqualTo(reference(values).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void lengthIsCountedInCharsAndLoneSurrogatesBecomeQuestionMarksAsStringGetBytesWrites() {
        List<Object> values = Arrays.asList("😀".repeat(7), "lone \uD800 high", "lone \uDC00 low", "ends high \uD83D",
                "x".repeat(1234), "é".repeat(10));
        assertThat(writtenBytes(values)).isEqualTo(reference(values).getBytes(StandardCharsets.UTF_8));
        assertThat(written(List.of("😀"))).isEqualTo("2:😀;");
        assertThat(written(List.of("x".repeat(1234)))).startsWith("1234:xxx");
    }

    @Test
    void randomRowsMatchTheReferenceWhateverTheBufferSize() {
        Random random = new Random(13);
        CanonicalBytes reused = new CanonicalBytes(); // grows past its first size, then is reset row after row
        for (int row = 0; row < 2000; row++) {
            List<Object> values = new ArrayList<>();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                values.add(switch (random.nextInt(7)) {
                    case 0 -> null;
                    case 1 -> random.nextLong() >> random.nextInt(64);
                    case 2 -> BigDecimal.valueOf(random.nextLong() >> random.nextInt(64), random.nextInt(12) - 2);
                    case 3 -> LocalDateTime.of(random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28),
                            random.nextInt(24), random.nextInt(60), random.nextInt(60),
                            random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
                    case 4 -> LocalDate.of(random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28));
                    case 5 -> random.nextBoolean();
                    default -> randomText(random);
                });
            }
            reused.reset();
            for (Object v : values) {
                reused.value(v);
            }
            if (random.nextInt(10) == 0) {
                reused.marker("!delete");
                assertThat(Arrays.copyOf(reused.buffer(), reused.length()))
                        .isEqualTo((reference(values) + "!delete").getBytes(StandardCharsets.UTF_8));
            } else {
                assertThat(Arrays.copyOf(reused.buffer(), reused.length())).as("row %s", values)
                        .isEqualTo(reference(values).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void decimalsAreWrittenPlainWhicheverTextTheyCache() {
        Random random = new Random(29);
        for (int i = 0; i < 20_000; i++) {
            BigDecimal d = BigDecimal.valueOf(random.nextLong() >> random.nextInt(64), random.nextInt(30) - 10);
            assertThat(PlainDecimal.of(d)).as("%s", d).isEqualTo(d.toPlainString());
        }
        for (String s : List.of("0", "0.000001", "0.0000001", "1E+3", "-0.00", "1E-7", "123.4500", "-9.99")) {
            assertThat(PlainDecimal.of(new BigDecimal(s))).as(s).isEqualTo(new BigDecimal(s).toPlainString());
        }
    }

    private static String randomText(Random random) {
        int n = random.nextInt(random.nextInt(10) == 0 ? 600 : 20);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(switch (random.nextInt(6)) {
                case 0 -> (char) random.nextInt(0x80);
                case 1 -> (char) (0x80 + random.nextInt(0x780));
                case 2 -> (char) (0x800 + random.nextInt(0xD800 - 0x800));
                case 3 -> (char) (0xD800 + random.nextInt(0x800)); // surrogates, paired or not by chance
                default -> (char) ('a' + random.nextInt(26));
            });
        }
        return sb.toString();
    }
}
