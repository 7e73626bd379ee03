package dev.ferry.source.sftp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** S0.7: every expected day is asked for until its file comes; a day that never comes alerts; re-uploads. */
class SftpBackfillTest extends SftpTestSupport {

    @Test
    void missingDayIsAskedForAgainAndLoadedWhenItArrivesOnTheSecondRun() {
        put("bills_20261120.csv", bills("B20-1,2026-11-20,沃尔玛,100.00,成功"));
        put("bills_20261122.csv", bills("B22-1,2026-11-22,家乐福,22.50,退款"));
        Map<String, String> o = options();
        o.put("startDate", "2026-11-20");

        Map<String, Object> first = pollOk(o);

        assertThat(first.get("loaded")).isEqualTo(List.of("bills_20261120.csv", "bills_20261122.csv"));
        assertThat(first.get("missingDays")).isEqualTo(List.of("2026-11-21"));
        assertThat(dayRows()).containsExactly("2026-11-20|LOADED|0", "2026-11-21|EXPECTED|1", "2026-11-22|LOADED|0");

        put("bills_20261121.csv", bills("B21-1,2026-11-21,沃尔玛,7.00,成功", "B21-2,2026-11-21,大润发,8.25,成功"));
        Map<String, Object> second = pollOk(o);

        assertThat(second.get("loaded")).isEqualTo(List.of("bills_20261121.csv"));
        assertThat(second.get("missingDays")).isEqualTo(List.of());
        assertThat(dayRows()).containsExactly("2026-11-20|LOADED|0", "2026-11-21|LOADED|1", "2026-11-22|LOADED|0");
        assertThat(targetRows()).containsExactly(
                "B20-1|2026-11-20|沃尔玛|100.00|PAID",
                "B21-1|2026-11-21|沃尔玛|7.00|PAID",
                "B21-2|2026-11-21|大润发|8.25|PAID",
                "B22-1|2026-11-22|家乐福|22.50|REFUNDED");
        assertThat(ledgerRows()).containsExactly(
                "bills_20261120.csv|LOADED|BALANCED|1|1|1|0",
                "bills_20261122.csv|LOADED|BALANCED|1|1|1|0",
                "bills_20261121.csv|LOADED|BALANCED|2|2|2|0");
    }

    @Test
    void dayThatNeverArrivesAlertsAfterThreeRunsAndALateFileIsStillTaken() {
        Map<String, String> o = options();
        for (int run = 1; run <= 2; run++) {
            Map<String, Object> s = pollOk(o);
            assertThat(s.get("alerts")).isEqualTo(List.of());
        }
        assertThat(dayRows()).containsExactly("2026-11-22|EXPECTED|2");

        Map<String, Object> third = pollOk(o);

        assertThat(dayRows()).containsExactly("2026-11-22|MISSING|3");
        assertThat((List<?>) third.get("alerts")).singleElement().asString()
                .contains("no file bills_20261122.csv for 2026-11-22 after 3 polls: marked MISSING");

        put("bills_20261122.csv", bills("B22-1,2026-11-22,家乐福,22.50,成功"));
        Map<String, Object> late = pollOk(o);

        assertThat(late.get("loaded")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(late.get("lateDays")).isEqualTo(List.of("2026-11-22"));
        assertThat(dayRows()).containsExactly("2026-11-22|LOADED|3");
        assertThat(targetRows()).containsExactly("B22-1|2026-11-22|家乐福|22.50|PAID");
    }

    @Test
    void nextDaysBecomeExpectedAsTheClockMoves() {
        put("bills_20261122.csv", bills("B22-1,2026-11-22,家乐福,22.50,成功"));
        pollOk(options());
        clock.advance(Duration.ofDays(2));

        Map<String, Object> s = pollOk(options());

        assertThat(s.get("missingDays")).isEqualTo(List.of("2026-11-23", "2026-11-24"));
        assertThat(dayRows()).containsExactly("2026-11-22|LOADED|0", "2026-11-23|EXPECTED|1", "2026-11-24|EXPECTED|1");
    }

    @Test
    void reUploadedFileWithTheSameContentIsSkippedAndWithDifferentContentReplacesItsDay() {
        String original = bills("B22-1,2026-11-22,家乐福,22.50,成功", "B22-2,2026-11-22,沃尔玛,10.00,成功");
        put("bills_20261122.csv", original);
        pollOk(options());

        sftp.put(dir, "bills_20261122.csv", original, GBK, OLD.plusSeconds(60)); // same bytes, new time
        Map<String, Object> same = pollOk(options());

        assertThat(same.get("unchanged")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(same.get("loaded")).isEqualTo(List.of());

        // replace mode by bill_date: the corrected file replaces its day — B22-1 corrected, B22-2 withdrawn, B22-3 added
        sftp.put(dir, "bills_20261122.csv", bills("B22-1,2026-11-22,家乐福,25.50,成功", "B22-3,2026-11-22,沃尔玛,10.00,退款"),
                GBK, OLD.plusSeconds(120));
        Map<String, String> oneLinePerBatch = options();
        oneLinePerBatch.put("batchSize", "1"); // the file's batches are held and promoted together with its last one
        Map<String, Object> corrected = pollOk(oneLinePerBatch);

        assertThat(corrected.get("replaced")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(targetRows()).containsExactly("B22-1|2026-11-22|家乐福|25.50|PAID", "B22-3|2026-11-22|沃尔玛|10.00|REFUNDED");
        assertThat(rows("SELECT status, detail FROM ferry_sftp_file ORDER BY id")).extracting(r -> r.split("\\|")[0])
                .containsExactly("SUPERSEDED", "UNCHANGED", "LOADED");
        assertThat(ledgerRows().get(2)).isEqualTo("bills_20261122.csv|LOADED|BALANCED|2|2|2|0");
    }

    @Test
    void backfillOfADateRangeTakesLoadedDaysAgain() {
        put("bills_20261122.csv", bills("B22-1,2026-11-22,家乐福,22.50,成功"));
        pollOk(options());

        int days = ledger().backfill(INTEGRATION, java.time.LocalDate.parse("2026-11-21"), java.time.LocalDate.parse("2026-11-22"));
        Map<String, Object> s = pollOk(options());

        assertThat(days).isEqualTo(2);
        assertThat(s.get("loaded")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(s.get("missingDays")).isEqualTo(List.of("2026-11-21"));
        assertThat(dayRows()).containsExactly("2026-11-21|EXPECTED|1", "2026-11-22|LOADED|0");
        assertThat(targetRows()).containsExactly("B22-1|2026-11-22|家乐福|22.50|PAID");
        // read again: replace mode stages the whole day again (it must know every row the day holds) and the
        // target keeps one row per bill
        assertThat(ledgerRows()).containsExactly("bills_20261122.csv|LOADED|BALANCED|1|1|1|0");
    }
}
