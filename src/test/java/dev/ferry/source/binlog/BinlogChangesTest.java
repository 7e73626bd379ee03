package dev.ferry.source.binlog;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

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
        assertThat(rows(db.url(name), "SELECT binlog_version FROM employee ORDER BY binlog_version"))
                .as("each row carries the binlog place of its last change: the updated row's is newer than the snapshot's")
                .last().isEqualTo(rows(db.url(name), "SELECT binlog_version FROM employee WHERE emp_no = 1").get(0));
        assertThat(ferry.pipeline(INTEGRATION).position(BinlogOffsetStore.POSITION)).as("the binlog offset is committed").isPresent();
    }

    @Test
    void aHundredThousandRowTransactionIsPromotedAsOneBatch() throws Exception {
        source("INSERT INTO employee VALUES (0, 'Founder', 1, 1.00, '2000-01-01')");
        // MariaDB gives Debezium's MySQL connector no END markers: a transaction ends when the stream pauses for
        // idleFlushMillis; on a loaded 2-core machine a pause inside 10,000 rows can pass the default 1 s
        start(Map.of("idleFlushMillis", "4000"));
        awaitTargetEqualsSource(); // the snapshot is done: what follows is streamed
        // MariaDB's sequence engine: 100,000 rows in one INSERT, one transaction
        sourceTransaction("INSERT INTO employee SELECT seq, CONCAT('E', seq), seq % 7, seq * 1.5, '2026-01-01' FROM seq_1_to_100000",
                "UPDATE employee SET name = 'Boss' WHERE emp_no = 1");
        // ~15 s on a quiet machine, 40 s with other builds sharing the 2 cores (Debezium decodes 100,000 row events)
        awaitTargetEqualsSource(Duration.ofSeconds(120));
        assertThat(rows(db.url(name), "SELECT CONCAT(received, '/', status) FROM ferry_batch WHERE received > 0 AND source_ref NOT LIKE '%snapshot%'"))
                .as("the transaction's 100,001 changes in one batch, promoted together").containsExactly("100001/PROMOTED");
        assertThat(targetRows()).hasSize(100_001).element(1).isEqualTo("1|Boss|1|1.50|2026-01-01");
    }

    @Test
    void aTableNotInTheCaptureListIsIgnored() throws Exception {
        source("CREATE TABLE salary_history (emp_no INT, salary DECIMAL(12,2), changed DATE)");
        start();
        source("INSERT INTO salary_history VALUES (1, 100.00, '2026-01-01'), (2, 200.00, '2026-01-02')",
                "INSERT INTO employee VALUES (7, 'Zhao Lei', 40, 5000.00, '2026-02-02')",
                "INSERT INTO salary_history VALUES (7, 5000.00, '2026-02-02')");
        awaitTargetEqualsSource();
        assertThat(targetRows()).containsExactly("7|Zhao Lei|40|5000.00|2026-02-02");
        assertThat(targetLong("SELECT SUM(received) FROM ferry_batch")).as("only the captured table's change was received").isEqualTo(1);
        assertThat(targetLong("SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
    }
}
