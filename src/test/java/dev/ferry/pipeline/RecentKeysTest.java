package dev.ferry.pipeline;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RecentKeysTest {

    @Test
    void remembersTheLastPutsWithTheirContentAndForgetsOlderOnes() {
        RecentKeys recent = new RecentKeys(3);
        recent.put(1, 10);
        recent.put(2, 20);
        recent.put(3, 30);
        assertThat(recent.contains(1, 10)).isTrue();
        assertThat(recent.contains(1, 11)).as("another content of a remembered key is not a duplicate").isFalse();
        recent.put(4, 40); // the put of key 1 leaves the window
        assertThat(recent.contains(1, 10)).isFalse();
        assertThat(recent.contains(4, 40)).isTrue();
        recent.put(2, 21); // key 2 put again: its newer content counts, and it stays for three more puts
        recent.put(5, 50);
        recent.put(6, 60);
        assertThat(recent.contains(2, 20)).isFalse();
        assertThat(recent.contains(2, 21)).isTrue();
        assertThat(recent.contains(3, 30)).isFalse();
        assertThat(recent.size()).isEqualTo(3);
    }

    /**
     * Random puts over a small key space (many repeats, evictions and probe-run deletions) against a model: a key is
     * held with the content of its latest put, as long as that put is one of the last {@code capacity}. Half the
     * repetitions have capacities above the first ring size, so the ring and table grow while keys come and go.
     */
    @RepeatedTest(20)
    void agreesWithTheModelOnRandomPuts(RepetitionInfo repetition) {
        Random random = new Random(repetition.getCurrentRepetition());
        boolean grows = repetition.getCurrentRepetition() % 2 == 0;
        int capacity = grows ? 1_025 + random.nextInt(4_000) : 1 + random.nextInt(64);
        int keySpace = grows ? 1 + random.nextInt(12_000) : 1 + random.nextInt(200);
        int puts = grows ? 20_000 : 5_000;
        RecentKeys recent = new RecentKeys(capacity);
        Map<Long, long[]> latest = new HashMap<>(); // key → {content, index of its latest put}
        for (int n = 0; n < puts; n++) {
            long key = random.nextInt(keySpace) * 0x9E3779B97F4A7C15L; // spread over the long range, including 0
            long content = random.nextInt(3);
            recent.put(key, content);
            latest.put(key, new long[]{content, n});
            long probe = random.nextInt(keySpace) * 0x9E3779B97F4A7C15L;
            long[] held = latest.get(probe);
            boolean inWindow = held != null && held[1] > n - capacity;
            for (long c = 0; c < 3; c++) {
                assertThat(recent.contains(probe, c)).as("put %d, key %d, content %d", n, probe, c)
                        .isEqualTo(inWindow && held[0] == c);
            }
        }
        long expected = latest.values().stream().filter(h -> h[1] > puts - 1 - capacity).count();
        assertThat(recent.size()).isEqualTo((int) expected);
    }
}
