package dev.ferry.source.binlog;

import dev.ferry.LogCapture;
import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** ALTER TABLE on the source under a running stream: the stream goes on; drift is warned about or alerted. */
class BinlogSchemaChangeTest extends BinlogTestSupport {

    @Test
    void anAddedColumnIsIgnoredWithOneWarningAndADroppedMappedColumnIsAnAlert() throws Exception {
        source("INSERT INTO employee VALUES (1, 'Zhang Wei', 10, 12000.50, '2020-03-01')");
        try (LogCapture log = new LogCapture()) {
            start();
            awaitTargetEqualsSource();

            source("ALTER TABLE employee ADD COLUMN phone VARCHAR(20)",
                    "INSERT INTO employee VALUES (2, 'Li Na', 20, 9800.00, '2021-07-15', '13800000000')",
                    "UPDATE employee SET phone = '13900000000', name = 'Zhang Wei (CTO)' WHERE emp_no = 1");
            awaitTargetEqualsSource();
            assertThat(targetRows()).containsExactly("1|Zhang Wei (CTO)|10|12000.50|2020-03-01", "2|Li Na|20|9800.00|2021-07-15");
            assertThat(Pattern.compile("new column 'phone' that the mapping does not read").matcher(log.text()).results().count())
                    .as("one warning for the new column, not one per row").isEqualTo(1);

            source("ALTER TABLE employee DROP COLUMN salary",
                    "INSERT INTO employee VALUES (3, 'Wang Fang', 10, NULL, '13700000000')");
            awaitTarget("3|Wang Fang|10|-|-");
            assertThat(log.text()).contains("ALERT oa-employees: source table " + sourceDb
                    + ".employee no longer has column 'salary' that the mapping reads");
        }
    }

    private void awaitTarget(String row) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> targetRows().contains(row));
    }
}
