package dev.ferry.source.binlog;

import dev.ferry.devservices.EmbeddedMariaDb;
import org.apache.camel.Endpoint;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Source transactions committed back to back while a promotion is held up wait for it, then go into one batch:
 * each transaction whole (a crash between batches can never leave part of one in the target), the committed
 * position the last transaction's. The promotion is held up by a lock on the target table's rows (a locking read
 * in another session), so the transactions are certainly waiting when it is released.
 */
class BinlogTransactionGroupsTest extends BinlogTestSupport {

    /** Transaction n inserts n rows, emp_no n*100+1…n*100+n, dept_id n: each transaction's size is its own. */
    private static final int TRANSACTIONS = 6;

    @Test
    void transactionsWaitingBehindAPromotionArePromotedTogetherEachWholeWithTheLastOnesPosition() throws Exception {
        source("INSERT INTO employee VALUES (1, 'Zhang Wei', 10, 12000.50, '2020-03-01')");
        start(Map.of("idleFlushMillis", "500"));
        awaitTargetEqualsSource(); // the snapshot

        List<String> ledger = holdPromotionsWhile(() -> {
            for (int n = 1; n <= TRANSACTIONS; n++) {
                sourceTransaction(inserts(n));
            }
            // all six complete and queued (the snapshot was one chunk): the first batch promotes (held by the lock), the
            // next is staged behind it, the others wait
            await().atMost(Duration.ofSeconds(60)).until(() -> producer().transactionsQueued() == 1 + TRANSACTIONS);
        });

        List<List<Integer>> batches = transactionsPerBatch();
        assertThat(batches.stream().flatMap(List::stream).toList()).as("every transaction promoted, in order")
                .containsExactly(1, 2, 3, 4, 5, 6);
        // [1], [2], [3, 4, 5, 6] — or [1, 2], [3], [4, 5, 6] when the queue's thread took the first two together
        assertThat(batches).as("the transactions that waited went into one batch").anySatisfy(b -> assertThat(b).hasSizeGreaterThanOrEqualTo(3));
        assertThat(ledger).as("each batch's ledger row counts the changes of the whole transactions it holds")
                .isEqualTo(batches.stream().map(b -> b.stream().mapToInt(Integer::intValue).sum() + "|"
                        + (b.size() == 1 ? "transaction" : b.size() + " transactions")).toList());
        assertPositionIsTheLastTransactions(TRANSACTIONS);
    }

    @Test
    void aGroupStopsAtMaxBatchRowsWithoutSplittingATransaction() throws Exception {
        source("INSERT INTO employee VALUES (1, 'Zhang Wei', 10, 12000.50, '2020-03-01')");
        start(Map.of("idleFlushMillis", "500", "maxBatchRows", "7"));
        awaitTargetEqualsSource();

        holdPromotionsWhile(() -> {
            for (int n = 1; n <= TRANSACTIONS; n++) {
                sourceTransaction(inserts(n));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> producer().transactionsQueued() == 1 + TRANSACTIONS);
        });

        // waiting: 3, 4, 5, 6 rows with a bound of 7 — [3, 4] fit, then 5 alone (5+6 > 7) and 6 alone; none split
        List<List<Integer>> batches = transactionsPerBatch();
        assertThat(batches.stream().flatMap(List::stream).toList()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(batches).as("waiting transactions grouped").anySatisfy(b -> assertThat(b).hasSizeGreaterThan(1));
        assertThat(batches).as("a group holds at most 7 changes").allSatisfy(b -> assertThat(
                b.size() == 1 || b.stream().mapToInt(Integer::intValue).sum() <= 7).isTrue());
        assertThat(batches).as("transactions of 5 and 6 rows: each a batch of its own").contains(List.of(5), List.of(6));
        assertPositionIsTheLastTransactions(TRANSACTIONS);
    }

    /**
     * Runs {@code commits} while a locking read holds the target's rows and gaps, so promotions wait; then releases
     * the lock and waits for the target to equal the source, checking at every look that it never holds part of a
     * transaction. Returns the streamed batches' ledger rows ("changes|what").
     */
    private List<String> holdPromotionsWhile(ThrowingRunnable commits) throws Exception {
        try (Connection lock = DriverManager.getConnection(db.url(name), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = lock.createStatement()) {
            lock.setAutoCommit(false);
            s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            s.executeQuery("SELECT * FROM employee FOR UPDATE").close(); // next-key locks up to the supremum: inserts wait
            commits.run();
            assertThat(targetRows()).as("nothing promoted while the lock is held").hasSize(1);
            lock.commit();
        }
        List<String> partial = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Map<Integer, Long> present = rows(db.url(name), "SELECT dept_id FROM employee WHERE emp_no > 100").stream()
                    .collect(Collectors.groupingBy(Integer::parseInt, TreeMap::new, Collectors.counting()));
            present.forEach((n, rows) -> {
                if (rows.longValue() != n) {
                    partial.add("transaction " + n + ": " + rows + " of " + n + " rows");
                }
            });
            return targetRows().equals(sourceRows());
        });
        assertThat(partial).as("the target never held part of a transaction").isEmpty();
        List<String> ledger = new ArrayList<>();
        for (String row : rows(db.url(name), "SELECT CONCAT(received, '|', source_ref) FROM ferry_batch "
                + "WHERE received > 0 AND source_ref NOT LIKE '%snapshot%' ORDER BY id")) {
            Matcher m = Pattern.compile("[0-9]+ transactions|transaction").matcher(row.substring(row.indexOf('|')));
            ledger.add(row.substring(0, row.indexOf('|') + 1) + (m.find() ? m.group() : row));
        }
        return ledger;
    }

    /** The transactions whose rows each streamed batch promoted (by the key store's last batch of each row), batch by batch. */
    private List<List<Integer>> transactionsPerBatch() {
        Map<Integer, Set<Long>> batchesOfTransaction = new TreeMap<>();
        Map<Long, Set<Integer>> transactionsOfBatch = new TreeMap<>();
        for (String row : rows(db.url(name), "SELECT CONCAT(business_key, '|', last_batch_id) FROM ferry_idempotency "
                + "WHERE integration = '" + INTEGRATION + "' AND CAST(business_key AS UNSIGNED) > 100")) {
            String[] p = row.split("\\|");
            int transaction = Integer.parseInt(p[0]) / 100;
            long batch = Long.parseLong(p[1]);
            batchesOfTransaction.computeIfAbsent(transaction, t -> new TreeSet<>()).add(batch);
            transactionsOfBatch.computeIfAbsent(batch, b -> new TreeSet<>()).add(transaction);
        }
        batchesOfTransaction.forEach((t, b) -> assertThat(b).as("transaction %d promoted by one batch", t).hasSize(1));
        Map<Long, List<Integer>> ordered = new TreeMap<>();
        transactionsOfBatch.forEach((b, ts) -> ordered.put(b, new ArrayList<>(ts)));
        return new ArrayList<>(ordered.values());
    }

    /** The committed binlog position is the last transaction's: its binlog file and transaction position. */
    private void assertPositionIsTheLastTransactions(int n) {
        String version = rows(db.url(name), "SELECT MAX(binlog_version) FROM employee WHERE dept_id = " + n).get(0);
        String[] v = version.split("\\.");
        Map<String, Object> offset = SourceOffsetTransform.parseOffset(ferry.pipeline(INTEGRATION)
                .position(BinlogOffsetStore.POSITION).orElseThrow().value());
        Map<String, Long> committed = new HashMap<>();
        committed.put("pos", Long.parseLong(offset.get("pos").toString()));
        committed.put("event", Long.parseLong(offset.get("event").toString()));
        assertThat(offset.get("file").toString()).endsWith("." + String.format("%06d", Long.parseLong(v[0])));
        assertThat(committed.get("pos")).as("the last transaction's place in the binlog").isEqualTo(Long.parseLong(v[1]));
        assertThat(committed.get("event")).as("after its last change").isGreaterThanOrEqualTo(Long.parseLong(v[2]));
    }

    private BinlogProducer producer() {
        for (Endpoint e : camel.getEndpoints()) {
            if (e instanceof FerryBinlogEndpoint f && f.producer() != null) {
                return f.producer();
            }
        }
        throw new IllegalStateException("no ferry-binlog endpoint");
    }

    private static String inserts(int n) {
        StringBuilder sb = new StringBuilder("INSERT INTO employee VALUES ");
        for (int i = 1; i <= n; i++) {
            int emp = n * 100 + i;
            sb.append(i == 1 ? "" : ",").append("(").append(emp).append(", 'E").append(emp).append("', ").append(n)
                    .append(", ").append(emp).append(".00, '2026-11-26')");
        }
        return sb.toString();
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
