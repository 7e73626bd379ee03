package dev.ferry.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A fractional JSON number becomes the BigDecimal it always became (its value, scale and text feed the content hash). */
class ValuesTest {

    @Test
    void aFractionalNumberBecomesExactlyBigDecimalValueOfItsDouble() throws Exception {
        List<Double> doubles = new ArrayList<>(List.of(0.0, -0.0, 0.1, -0.1, 19.9, 19.90, 100.0, 1234567.5, 9999999.999, 1e7, 1.0e-3,
                9.99e-4, 123456789.123, 0.30000000000000004, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300,
                4.35, 2.675, 1.005, 5e-324, 123.456789012345678, -98765.4321, Math.PI, -Math.E, (double) Long.MAX_VALUE));
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            doubles.add(random.nextLong() % 100_000_000 / 100.0); // money
            doubles.add(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20) * (random.nextBoolean() ? 1 : -1));
            doubles.add(Double.longBitsToDouble(random.nextLong())); // anything, NaN and infinities included
        }
        for (double d : doubles) {
            if (!Double.isFinite(d)) {
                continue;
            }
            BigDecimal ours = Values.decimalOf(d);
            BigDecimal theirs = BigDecimal.valueOf(d);
            assertThat(ours).as("%s", d).isEqualTo(theirs); // equals: same unscaled value and scale
            assertThat(ours.toString()).isEqualTo(theirs.toString());
            assertThat(PlainDecimal.of(ours)).isEqualTo(PlainDecimal.of(theirs));
        }
    }

    @Test
    void aJsonDoubleIsReadAsItsDecimalAndOtherNumbersAsBefore() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var node = json.readTree("{\"price\":19.90,\"big\":1.5e300,\"n\":7,\"l\":12345678901}");

        assertThat(Values.fromJson(node.get("price"))).isEqualTo(new BigDecimal("19.9"));
        assertThat(Values.fromJson(node.get("big"))).isEqualTo(BigDecimal.valueOf(1.5e300));
        assertThat(Values.fromJson(node.get("n"))).isEqualTo(7);
        assertThat(Values.fromJson(node.get("l"))).isEqualTo(12345678901L);
    }
}
