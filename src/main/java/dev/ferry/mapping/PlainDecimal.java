package dev.ferry.mapping;

import java.math.BigDecimal;

/** A decimal's plain text (no exponent), shared by the content hash and the staging TSV of the same value. */
public final class PlainDecimal {

    private PlainDecimal() {
    }

    /**
     * {@code d.toPlainString()}, but through {@code toString()} where the two agree (scale ≥ 0 and no more than six
     * leading zeros): BigDecimal caches its toString, so the hash and the TSV of one value build one String, where
     * toPlainString builds a new one at every call.
     */
    public static String of(BigDecimal d) {
        return d.scale() >= 0 && d.precision() - d.scale() - 1 >= -6 ? d.toString() : d.toPlainString();
    }
}
