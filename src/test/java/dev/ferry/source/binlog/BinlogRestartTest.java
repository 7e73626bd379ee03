package dev.ferry.source.binlog;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A stopped and restarted stream resumes at its committed binlog position: nothing lost, nothing read twice. */
class BinlogRestartTest extends BinlogTestSupport {

    @Test
    void aCleanRestartResumesExactlyWithoutAnotherSnapshot() throws Exception {
        source("INSERT INTO employee VALUES (1, 'Zhang Wei', 10, 12000.50, '2020-03-01'), (2, 'Li Na', 20, 9800.00, '2021-07-15'),"
                + " (3, 'Wang Fang', 10, NULL, NULL)");
        start();
        awaitTargetEqualsSource();
        source("INSERT INTO employee VALUES (4, 'Chen Jie', 30, 7000.00, '2026-11-01')");
        awaitTargetEqualsSource();
        stop();

        // changed while Ferry was down
        source("INSERT INTO employee VALUES (5, 'Sun Li', 30, 6500.00, '2026-11-20')",
                "UPDATE employee SET name = 'Li Na (HR)' WHERE emp_no = 2",
                "DELETE FROM employee WHERE emp_no = 1");
        start();
        awaitTargetEqualsSource();
        assertThat(targetRows()).containsExactly("2|Li Na (HR)|20|9800.00|2021-07-15", "3|Wang Fang|10|-|-",
                "4|Chen Jie|30|7000.00|2026-11-01", "5|Sun Li|30|6500.00|2026-11-20");
        assertThat(rows(db.url(name), "SELECT CONCAT(r.id, ':', SUM(b.received)) FROM ferry_run r JOIN ferry_batch b ON b.run_id = r.id "
                + "GROUP BY r.id ORDER BY r.id"))
                .as("run 1: the snapshot's 3 rows and one insert; run 2: exactly the 3 changes made while stopped")
                .containsExactly("1:4", "2:3");
    }
}
