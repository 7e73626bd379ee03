package dev.ferry.authoring.validate;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/** "did you mean" for a misspelt name: the closest known name, if it is close enough to be a typo. */
final class Suggestions {

    private Suggestions() {
    }

    /** @return {@code " (did you mean 'x'?)"}, or {@code ""} when no known name is near */
    static String didYouMean(String unknown, Collection<String> known) {
        String best = closest(unknown, known);
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    static String closest(String unknown, Collection<String> known) {
        String u = unknown.toLowerCase(Locale.ROOT);
        return known.stream()
                .filter(k -> distance(u, k.toLowerCase(Locale.ROOT)) <= Math.max(2, k.length() / 3))
                .min(Comparator.comparingInt((String k) -> distance(u, k.toLowerCase(Locale.ROOT))).thenComparing(k -> k))
                .orElse(null);
    }

    // edit distance counting a swap of two neighbours as one typo (form → from): neither Camel's public API nor the
    // classpath (no commons-text) offers one
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
