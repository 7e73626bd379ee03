package dev.ferry.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A segment's distinct record count stays exact while its memory stays bounded, whatever the segment's size. */
class DistinctCounterTest {

    @Test
    void aSegmentLargerThanTheMemoryBoundIsCountedExactlyThroughSortedRunsOnDisk() throws IOException {
        Random random = new Random(7);
        Set<Long> expected = new HashSet<>();
        Set<Path> before = spillFiles();
        try (DistinctCounter counter = new DistinctCounter(1_000)) {
            for (int batch = 0; batch < 50; batch++) {
                long[] ids = new long[500];
                for (int i = 0; i < ids.length; i++) {
                    // a quarter of the records repeat an earlier one (a moving sort re-serving records across pages)
                    ids[i] = random.nextInt(4) == 0 && !expected.isEmpty() ? random.nextInt(20_000) : random.nextLong();
                }
                Set<Long> with = new HashSet<>(expected);
                for (long id : ids) {
                    with.add(id);
                }
                assertThat(counter.sizeWith(ids)).as("count with batch %d before it is added", batch).isEqualTo(with.size());
                counter.addAll(ids);
                expected = with;
                assertThat(counter.size()).isEqualTo(expected.size());
                assertThat(counter.capacityInMemory()).as("slots held in memory").isLessThanOrEqualTo(2_048);
            }
            assertThat(spillFiles()).as("sorted runs on disk while counting").hasSizeGreaterThan(before.size());
        }
        assertThat(spillFiles()).as("closing the counter deletes its runs").isEqualTo(before);
    }

    @Test
    void identitiesRepeatedAcrossSpilledRunsAndTheNextBatchAreCountedOnce() {
        try (DistinctCounter counter = new DistinctCounter(16)) {
            for (long id = 1; id <= 100; id++) {
                counter.add(id);
                counter.add(id); // same record twice in a row
            }
            for (long id = 1; id <= 100; id += 3) {
                counter.add(id); // again, after the first copies went to disk
            }
            assertThat(counter.size()).isEqualTo(100);
            assertThat(counter.sizeWith(new long[]{5, 50, 100, 101, 101, 0})).isEqualTo(101); // 0 counts as 1, already there
            assertThat(counter.size()).as("sizeWith adds nothing").isEqualTo(100);
        }
    }

    private static Set<Path> spillFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return new HashSet<>(files.filter(f -> f.getFileName().toString().startsWith("ferry-distinct-")).toList());
        }
    }
}
