package dev.ferry.source.sftp;

import dev.ferry.LogCapture;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Faults of the server and the transfer: dropped connections, outages, refused logins and keys, incomplete files. */
class SftpConnectionTest extends SftpTestSupport {

    @Test
    void connectionDroppedMidDownloadIsRetriedAndThePartialFileIsNeverParsed() {
        String[] rows = new String[3000];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = String.format("B%05d,2026-11-22,商户%d,%d.00,成功", i, i, i);
        }
        put("bills_20261122.csv", bills(rows)); // ~130 KB: several reads
        sftp.cutDownloads.set(0);
        sftp.cutNextDownloadOf("bills_20261122.csv");

        Map<String, Object> s = pollOk(options());

        assertThat(sftp.cutDownloads.get()).isEqualTo(1);
        assertThat(s.get("loaded")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(ledgerRows()).containsExactly("bills_20261122.csv|LOADED|BALANCED|3000|3000|3000|0");
        assertThat(rows("SELECT COUNT(*), SUM(amount) FROM payment_bill")).containsExactly("3000|4498500.00");
    }

    @Test
    void serverDownFailsThePollAndAlertsAfterThreeInARow() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> o = options();
        o.put("port", String.valueOf(closedPort));
        o.put("maxRetries", "1");
        try (LogCapture log = new LogCapture()) {
            for (int i = 1; i <= 3; i++) {
                Exchange done = poll(o);
                assertThat(done.getException()).isInstanceOf(SftpFailedException.class)
                        .hasMessageContaining("the server is not reachable").hasMessageContaining(i + " failed poll(s) in a row");
                if (i < 3) {
                    assertThat(log.text()).doesNotContain("ALERT");
                }
            }
            assertThat(log.text()).contains("ALERT payment-bills: SFTP server unusable for 3 polls in a row");
        }
        assertThat(rows("SELECT status FROM ferry_run ORDER BY id")).containsExactly("FAILED", "FAILED", "FAILED");
        assertThat(rows("SELECT failed_polls FROM ferry_sftp_source")).containsExactly("3");

        pollOk(options()); // the server is back: the count starts again
        assertThat(rows("SELECT failed_polls FROM ferry_sftp_source")).containsExactly("0");
    }

    @Test
    void wrongCredentialsGiveAClearErrorAndTheSecretReachesNoLog() {
        Map<String, String> o = options();
        o.put("password", "Wrong-Secret-4711");
        try (LogCapture log = new LogCapture()) {
            Exchange done = poll(o);

            assertThat(done.getException()).hasMessageContaining("authentication failed for user partner (password)");
            assertThat(String.valueOf(done.getException())).doesNotContain("Wrong-Secret-4711");
            assertThat(log.text()).doesNotContain("Wrong-Secret-4711").doesNotContain(org.apache.camel.util.URISupport.sanitizeUri("x"));
            assertThat(rows("SELECT error FROM ferry_run")).allSatisfy(r -> assertThat(r).doesNotContain("Wrong-Secret-4711"));
        }
    }

    @Test
    void unknownHostKeyIsRefusedAndTurningTheCheckOffIsLogged() {
        put("bills_20261122.csv", bills("B1,2026-11-22,甲,1.00,成功"));
        Map<String, String> o = options();
        o.put("knownHostsFile", sftp.strangerKnownHosts().toString());

        Exchange refused = poll(o);

        assertThat(refused.getException()).hasMessageContaining("host key is not in the known_hosts file");
        assertThat(targetRows()).isEmpty();

        Map<String, String> unchecked = options();
        unchecked.remove("knownHostsFile");
        unchecked.put("strictHostKeyChecking", "no");
        try (LogCapture log = new LogCapture()) {
            pollOk(unchecked);
            assertThat(log.text()).contains("strictHostKeyChecking=no — the SFTP server's host key is NOT verified");
        }
        assertThat(targetRows()).containsExactly("B1|2026-11-22|甲|1.00|PAID");
    }

    @Test
    void fileStillBeingWrittenIsTakenOnlyOnceItsSizeHoldsStill() {
        sftp.put(dir, "bills_20261122.csv", bills("B1,2026-11-22,甲,1.00,成功"), GBK, OLD);
        Map<String, String> o = options();
        o.put("stableSize", "true");

        assertThat(pollOk(o).get("waiting")).isEqualTo(List.of("bills_20261122.csv"));
        sftp.put(dir, "bills_20261122.csv", bills("B1,2026-11-22,甲,1.00,成功", "B2,2026-11-22,乙,2.00,成功"), GBK, OLD.plusSeconds(5));
        assertThat(pollOk(o).get("waiting")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(targetRows()).isEmpty();

        Map<String, Object> third = pollOk(o);

        assertThat(third.get("loaded")).isEqualTo(List.of("bills_20261122.csv"));
        assertThat(targetRows()).containsExactly("B1|2026-11-22|甲|1.00|PAID", "B2|2026-11-22|乙|2.00|PAID");
    }

    @Test
    void doneMarkerAndMinimumAgeHoldAFileBack() {
        sftp.put(dir, "bills_20261122.csv", bills("B1,2026-11-22,甲,1.00,成功"), GBK, TODAY.minusSeconds(30));
        Map<String, String> o = options();
        o.put("doneMarker", ".ok");
        o.put("minAge", "2m");

        assertThat(pollOk(o).get("waiting")).isEqualTo(List.of("bills_20261122.csv"));
        sftp.put(dir, "bills_20261122.csv.ok", "", GBK, TODAY);
        assertThat(pollOk(o).get("waiting")).isEqualTo(List.of("bills_20261122.csv")); // marker there, but too young
        clock.advance(Duration.ofMinutes(2));

        assertThat(pollOk(o).get("loaded")).isEqualTo(List.of("bills_20261122.csv"));
    }

    @Test
    void fileNamesWithPathTricksAreNotTaken() {
        sftp.put(dir, "..\\..\\evil.csv", bills("E1,2026-11-22,恶,9.00,成功"), GBK, OLD);
        sftp.put(dir, "ok.csv", bills("B1,2026-11-22,甲,1.00,成功"), GBK, OLD);
        Map<String, String> o = options();
        o.put("fileName", "*.csv");

        Map<String, Object> s = pollOk(o);

        assertThat(s.get("loaded")).isEqualTo(List.of("ok.csv"));
        assertThat(targetRows()).containsExactly("B1|2026-11-22|甲|1.00|PAID");
        assertThat(rows("SELECT status, detail FROM ferry_sftp_file WHERE path LIKE '%evil%'"))
                .containsExactly("UNSAFE|not taken: '..' in the file name");
        assertThatThrownBy(() -> ledger().retake(INTEGRATION, "../../etc/passwd")).hasMessageContaining("unsafe file name");
        Map<String, String> bad = options();
        bad.put("directory", "../outside");
        assertThatThrownBy(() -> poll(bad)).hasStackTraceContaining("directory must not contain '..'");
    }
}
