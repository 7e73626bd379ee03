package dev.ferry.pipeline;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

import static org.assertj.core.api.Assertions.assertThat;

/** The staging bytes LOAD DATA reads: every value type in the text form the server parses back, escaped, UTF-8. */
class TsvBytesTest {

    private static String tsv(Object... values) {
        TsvBytes t = new TsvBytes(8);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                t.tab();
            }
            t.value(values[i]);
        }
        t.newline();
        try {
            return new String(t.stream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void valuesAreWrittenInTheFormLoadDataReadsBack() {
        assertThat(tsv(null, 0L, -42L, Long.MIN_VALUE, 7, true, false)).isEqualTo("\\N\t0\t-42\t-9223372036854775808\t7\t1\t0\n");
        assertThat(tsv(new BigDecimal("1E+3"), new BigDecimal("-0.50"), 2.5d)).isEqualTo("1000\t-0.50\t2.5\n");
        assertThat(tsv(LocalDateTime.of(2026, 1, 2, 3, 4, 5), LocalDateTime.of(987, 12, 31, 23, 0, 0, 120_000_000),
                LocalDate.of(2026, 11, 26), LocalTime.of(9, 5, 0, 1_000))).isEqualTo(
                "2026-01-02 03:04:05\t0987-12-31 23:00:00.12\t2026-11-26\t09:05:00.000001\n");
    }

    @Test
    void textIsEscapedAndEncodedAsUtf8() {
        assertThat(tsv("a\\b\tc\nd\re\0f")).isEqualTo("a\\\\b\\tc\\nd\\re\\0f\n");
        assertThat(tsv("杭州 café 😀", "x".repeat(100))).isEqualTo("杭州 café 😀\t" + "x".repeat(100) + "\n");
        assertThat(tsv("lone \uD800 surrogate")).isEqualTo("lone ? surrogate\n");
    }

    @Test
    void aBatchLargerThanAChunkIsWrittenInChunksAndReadBackWhole() throws Exception {
        TsvBytes t = new TsvBytes(1_000_000);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++) { // values of every kind cross the chunk boundaries
            String text = "row " + i + (i % 7 == 0 ? " 杭州\\ \ttab 😀" : "") + (i % 1000 == 0 ? "x".repeat(100_000) : "");
            t.number(-i).tab().escaped(text).tab().value(LocalDateTime.of(2026, 1, 2, 3, 4, 5, i % 3 * 1000)).tab()
                    .value(new BigDecimal(i).movePointLeft(2)).newline();
            expected.append(-i).append('\t').append(text.replace("\\", "\\\\").replace("\t", "\\t")).append('\t')
                    .append("2026-01-02 03:04:05").append(i % 3 == 0 ? "" : i % 3 == 1 ? ".000001" : ".000002").append('\t')
                    .append(new BigDecimal(i).movePointLeft(2).toPlainString()).append('\n');
        }
        byte[] bytes = expected.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(t.size()).isEqualTo(bytes.length).isGreaterThan(4 * TsvBytes.CHUNK);
        assertThat(t.stream().readAllBytes()).isEqualTo(bytes);
        assertThat(t.largestChunk()).isLessThanOrEqualTo(TsvBytes.CHUNK); // no humongous array for G1
    }
}
