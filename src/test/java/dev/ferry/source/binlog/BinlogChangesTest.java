package dev.ferry.source.binlog;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Snapshot, then inserts, updates and deletes streamed from the binlog into the target, row by row. */
class BinlogChangesTest extends BinlogTestSupport {

    @Test
    void snapshotThenInsertsUpdatesAndDeletesReachTheTarget() throws Exception {
        source("INSERT INTO employee VALUES (1, 'Zhang Wei', 10, 12000.50, '2020-03-01'), (2, 'Li Na', 20, 9800.00, '2021-07-15'),"
                + " (3, 'Wang Fang', 10, NULL, NULL)");
        start();
        awaitTargetEqualsSource();
        assertThat(targetRows()).containsExactly("1|Zhang Wei|10|12000.50|2020-03-01", "2|Li Na|20|9800.00|2021-07-15",
                "3|Wang Fang|10|-|-");

        source("INSERT INTO employee VALUES (4, 'Chen Jie', 30, 7000.00, '2026-11-01')",
                "UPDATE employee SET salary = 13000.00, dept_id = 20 WHERE emp_no = 1",
                "DELETE FROM employee WHERE emp_no = 3");
        awaitTargetEqualsSource();
        assertThat(targetRows()).containsExactly("1|Zhang Wei|20|13000.00|2020-03-01", "2|Li Na|20|9800.00|2021-07-15",
                "4|Chen Jie|30|7000.00|2026-11-01");
        assertThat(ferry.pipeline(INTEGRATION).position(BinlogOffsetStore.POSITION)).as("the binlog offset is committed").isPresent();
    }
}
