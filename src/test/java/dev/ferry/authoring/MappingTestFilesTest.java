package dev.ferry.authoring;

import dev.ferry.authoring.trial.MappingTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry test}: the shipped mappings' test files pass (so {@code mvn verify} runs them like unit tests), and a
 * failing test exits 1 with a diff naming the row, the column, what was expected and what came out.
 */
class MappingTestFilesTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty("ferry.mappings-dir");
    }

    @Test
    void everyShippedMappingTestPasses() throws Exception {
        List<MappingTests.Outcome> outcomes = MappingTests.run(List.of(Path.of("mappings")), false);

        assertThat(outcomes.stream().map(o -> o.file().getFileName().toString()).distinct())
                .contains("jst-refunds.test.yaml", "payment-bills.test.yaml", "user-registrations.test.yaml", "oa-employees.test.yaml");
        assertThat(MappingTests.format(outcomes)).doesNotContain("FAIL").endsWith(outcomes.size() + " test(s), 0 failed\n");
    }

    @Test
    void aFailingTestExitsOneWithADiffOfRowsConditionsAndRejections() throws Exception {
        Files.copy(Path.of("mappings/payment-bills.yaml"), dir.resolve("payment-bills.yaml"));
        Files.writeString(dir.resolve("payment-bills.test.yaml"), """
                tests:
                  - name: right
                    format: csv
                    input: |
                      bill_no,bill_date,amount,status
                      B-1,2026-11-20,12.50,成功
                    rows:
                      - { key: B-1, amount: 12.5, status: PAID }
                  - name: wrong
                    format: csv
                    input: |
                      bill_no,bill_date,amount,status
                      B-1,2026-11-20,12.50,成功
                      B-2,2026-11-20,-1,退款
                      B-3,2026-11-20,x,退款
                    rows:
                      - { key: B-1, amount: 12.49, status: PAID }
                    conditions: [ "amount > 0" ]
                    rejected:
                      - { where: line 2, field: status }
                """);
        System.setProperty("ferry.mappings-dir", dir.toString());

        CliOutput r = CliOutput.run("test");

        assertThat(r.exit()).isEqualTo(1);
        String file = dir.resolve("payment-bills.test.yaml").toString();
        assertThat(r.out()).isEqualTo("PASS " + file + " › right\n"
                + "FAIL " + file + " › wrong\n"
                + "  row 1 (line 2, key B-1): amount: expected '12.49', got '12.50'\n"
                + "  row 2 (line 3, key B-2): not expected {bill_no=B-2, bill_date=2026-11-20, merchant=NULL, amount=-1.00, status=REFUNDED}\n"
                + "  condition 'amount > 0' is false for row 2 (line 3, key B-2): {bill_no=B-2, bill_date=2026-11-20, merchant=NULL, "
                + "amount=-1.00, status=REFUNDED}\n"
                + "  rejection expected but not made: {\"where\":\"line 2\",\"field\":\"status\"}\n"
                + "  rejection not expected: line 4, field amount: field 'amount': 'x' is not a decimal\n"
                + "2 test(s), 1 failed\n");
    }
}
