package dev.ferry.source.sftp;

import org.junit.jupiter.api.Test;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing (encodings, quoting, BOM, trailer, JSON Lines) and the two validation modes (S0.9). */
class SftpFileContentTest extends SftpTestSupport {

    @Test
    void gbkFileWithQuotedFieldsAndCrlfLoadsEveryRow() {
        put("bills_20261122.csv", bills("B1,2026-11-22,\"上海, 浦东 \"\"一号店\"\"\",1.10,成功", "B2,2026-11-22,,2.20,退款"));

        pollOk(options());

        assertThat(targetRows()).containsExactly("B1|2026-11-22|上海, 浦东 \"一号店\"|1.10|PAID", "B2|2026-11-22|null|2.20|REFUNDED");
    }

    @Test
    void gb18030AndUtf8WithByteOrderMarkAreDecodedAsDeclared() {
        sftp.put(dir, "bills_20261121.csv", bills("B1,2026-11-21,𠀀商店,1.00,成功"), Charset.forName("GB18030"), OLD);
        Map<String, String> o = options();
        o.put("encoding", "GB18030");
        o.put("startDate", "2026-11-21");
        o.put("fileName", "bills_{yyyyMMdd}.csv");
        pollOk(o);
        sftp.put(dir, "bills_20261122.csv", "\uFEFF" + bills("B2,2026-11-22,北京店,2.00,成功"), StandardCharsets.UTF_8, OLD);
        o.put("encoding", "UTF-8");
        pollOk(o);

        assertThat(targetRows()).containsExactly("B1|2026-11-21|𠀀商店|1.00|PAID", "B2|2026-11-22|北京店|2.00|PAID");
    }

    @Test
    void malformedLineInPerRowModeGoesToDeadLettersWithItsLineNumberAndTheRestLoads() {
        put("bills_20261122.csv", bills("B1,2026-11-22,甲,1.00,成功", "B2,2026-11-22,乙", "B3,2026-11-22,丙,abc,成功", "B4,2026-11-22,丁,4.00,成功"));

        pollOk(options());

        assertThat(targetRows()).containsExactly("B1|2026-11-22|甲|1.00|PAID", "B4|2026-11-22|丁|4.00|PAID");
        List<String> letters = rows("SELECT source_ref, reason, payload FROM ferry_dead_letter ORDER BY id");
        assertThat(letters).hasSize(2);
        assertThat(letters).anySatisfy(l -> assertThat(l).startsWith("bills_20261122.csv line 3|")
                .contains("expected 5 fields").endsWith("|B2,2026-11-22,乙"));
        assertThat(letters).anySatisfy(l -> assertThat(l).contains("amount").contains("\"_line\":4"));
        assertThat(ledgerRows()).containsExactly("bills_20261122.csv|LOADED|BALANCED|4|3|2|2");
        assertThat(rows("SELECT line_no, reason FROM ferry_sftp_file_problem")).singleElement().asString().startsWith("3|expected 5 fields");
    }

    @Test
    void malformedLineInWholeFileModeRejectsTheFileWithAReportOfEveryBadLine() {
        put("bills_20261122.csv", bills("B1,2026-11-22,甲,1.00,成功", "B2,2026-11-22,乙", "B3,2026-11-22,丙,abc,成功", "B4,2026-11-22,丁,4.00,未知"));
        Map<String, String> o = options();
        o.put("validation", "wholeFile");

        Map<String, Object> s = pollOk(o);

        assertThat(targetRows()).isEmpty();
        assertThat(s.get("rejected")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(ledgerRows()).containsExactly("bills_20261122.csv|REJECTED|REJECTED|4|0|0|0");
        List<String> report = rows("SELECT line_no, reason FROM ferry_sftp_file_problem ORDER BY line_no");
        assertThat(report).hasSize(3);
        assertThat(report.get(0)).startsWith("3|expected 5 fields");
        assertThat(report.get(1)).startsWith("4|").contains("amount");
        assertThat(report.get(2)).startsWith("5|").contains("status");
        assertThat(dayRows()).containsExactly("2026-11-22|REJECTED|0");
        assertThat(rows("SELECT COUNT(*) FROM ferry_dead_letter")).containsExactly("0");
    }

    @Test
    void wrongEncodingDeclaredRejectsTheFileBeforeAnythingLoads() {
        put("bills_20261122.csv", bills("B1,2026-11-22,沃尔玛,1.00,成功"));
        Map<String, String> o = options();
        o.put("encoding", "UTF-8");

        Map<String, Object> s = pollOk(o);

        assertThat(targetRows()).isEmpty();
        assertThat(ledgerRows()).containsExactly("bills_20261122.csv|REJECTED|REJECTED|0|0|0|0");
        assertThat(((List<?>) s.get("alerts")).get(0).toString()).contains("bills_20261122.csv is not valid UTF-8 at line 2");
    }

    @Test
    void emptyFileIsRejectedAndAHeaderOnlyFileLoadsNothingBalanced() {
        sftp.putBytes(dir, "bills_20261121.csv", new byte[0], OLD);
        put("bills_20261122.csv", bills());
        Map<String, String> o = options();
        o.put("startDate", "2026-11-21");

        pollOk(o);

        assertThat(ledgerRows()).containsExactly("bills_20261121.csv|REJECTED|REJECTED|0|0|0|0",
                "bills_20261122.csv|LOADED|BALANCED|0|0|0|0");
        assertThat(rows("SELECT reason FROM ferry_sftp_file_problem")).singleElement().asString().contains("empty (0 bytes)");
        assertThat(dayRows()).containsExactly("2026-11-21|REJECTED|0", "2026-11-22|LOADED|0");
    }

    @Test
    void trailerIsCheckedAndExcludedAndATrailerThatDisagreesRejectsTheFile() {
        put("bills_20261121.csv", bills("B1,2026-11-21,甲,1.00,成功", "B2,2026-11-21,乙,2.00,成功", "TOTAL,2"));
        put("bills_20261122.csv", bills("B3,2026-11-22,丙,3.00,成功", "TOTAL,5"));
        Map<String, String> o = options();
        o.put("startDate", "2026-11-21");
        o.put("trailer", "TOTAL,(\\d+)");

        Map<String, Object> s = pollOk(o);

        assertThat(targetRows()).containsExactly("B1|2026-11-21|甲|1.00|PAID", "B2|2026-11-21|乙|2.00|PAID");
        assertThat(rows("SELECT path, status, verdict, line_count, trailer_count FROM ferry_sftp_file ORDER BY id"))
                .containsExactly("bills_20261121.csv|LOADED|BALANCED|2|2", "bills_20261122.csv|MISMATCH|MISMATCH|1|5");
        assertThat(((List<?>) s.get("alerts")).get(0).toString()).contains("the trailer declares 5 lines but the file has 1");
    }

    @Test
    void jsonLinesFileLoadsOneRecordPerLine() {
        sftp.put(dir, "bills_20261122.jsonl", """
                {"bill_no":"J1","bill_date":"2026-11-22","merchant":"甲","amount":"1.50","status":"成功"}

                {"bill_no":"J2","bill_date":"2026-11-22","merchant":"乙","amount":2.5,"status":"退款"}
                """, StandardCharsets.UTF_8, OLD);
        Map<String, String> o = options();
        o.put("format", "jsonl");
        o.put("encoding", "UTF-8");
        o.put("fileName", "bills_{yyyyMMdd}.jsonl");

        pollOk(o);

        assertThat(targetRows()).containsExactly("J1|2026-11-22|甲|1.50|PAID", "J2|2026-11-22|乙|2.50|REFUNDED");
        assertThat(ledgerRows()).containsExactly("bills_20261122.jsonl|LOADED|BALANCED|2|2|2|0");
    }
}
