package dev.ferry.reconcile;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * S1.1 against the real (embedded, KRaft) Kafka broker: what the core system sent ("redo" events) against what
 * the downstream confirmed ("done" events), both topics read from the beginning to their end offsets.
 */
class KafkaStreamPairTest {

    @TempDir
    static Path mappings;
    private static Ferry ferry;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        ferry = Ferry.start(FerryTestSupport.freshDatabase("recon_kafka", mappings));
        kafka = EmbeddedKafka.get();
        kafka.createTopic("clearing-sent", 2);
        kafka.createTopic("clearing-done", 1);
        kafka.send("clearing-sent", 0, List.of(
                "{\"txn\":\"T1\",\"day\":\"2026-11-20\",\"amount\":\"10.00\"}",
                "{\"txn\":\"T2\",\"day\":\"2026-11-20\",\"amount\":\"20.00\"}",
                "{\"txn\":\"T5\",\"day\":\"2026-11-21\",\"amount\":\"50.00\"}"));
        kafka.send("clearing-sent", 1, List.of(
                "{\"txn\":\"T3\",\"day\":\"2026-11-20\",\"amount\":\"30.00\"}",
                "{\"txn\":\"T4\",\"day\":\"2026-11-20\",\"amount\":\"40.00\"}"));
        kafka.send("clearing-done", 0, List.of(
                "{\"txn\":\"T1\",\"day\":\"2026-11-20\",\"amount\":\"10.00\"}",
                "{\"txn\":\"T2\",\"day\":\"2026-11-20\",\"amount\":\"2.00\"}",
                "{\"txn\":\"T4\",\"day\":\"2026-11-20\",\"amount\":\"4.00\"}",
                "{\"txn\":\"T4\",\"day\":\"2026-11-20\",\"amount\":\"40.00\"}",     // re-confirmed, corrected: the last one stands
                "{\"txn\":\"T9\",\"day\":\"2026-11-20\",\"amount\":\"90.00\"}"));   // confirmed, never sent
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    private ReconcileDefinition definition(String sentTopic) {
        FerryTestSupport.writeMapping(mappings, "clearing.reconcile.yaml", """
                integration: clearing
                source: { kafka: %s, brokers: "%s", key: [txn], scope: day, timeout: 20s }
                target: { kafka: clearing-done, brokers: "%s", key: [txn], scope: day, timeout: 20s }
                columns: { amount: { epsilon: 0.001 } }
                twoWay: true
                recheck: []
                """.formatted(sentTopic, kafka.bootstrapServers(), kafka.bootstrapServers()));
        return ReconcileLoader.find(mappings, "clearing", ferry.dataSource(), false);
    }

    @Test
    void sentAgainstConfirmedEventsFindsTheUnconfirmedTheWronglyConfirmedAndTheNeverSent() {
        Reconciler reconciler = new Reconciler(new ReconcileStore(ferry.dataSource()), Clock.systemDefaultZone(), i -> null);

        Reconciler.Result r = reconciler.run(definition("clearing-sent"), Scope.day("clearing", LocalDate.of(2026, 11, 20)), "test");

        assertThat(r.sourceRows()).isEqualTo(4);   // T5 is another day
        assertThat(r.targetRows()).isEqualTo(4);   // T4 once: the last confirmation
        assertThat(r.differences()).extracting(d -> d.category() + " " + d.key() + " " + d.fields() + " " + d.sourceValue() + " / " + d.targetValue())
                .containsExactly(
                        "FIELD_MISMATCH T2 [amount] amount=20.00 / amount=2.00",
                        "MISSING_IN_TARGET T3 [] amount=30.00 / null",
                        "MISSING_IN_SOURCE T9 [] null / amount=90.00");
        assertThat(r.status()).isEqualTo("MISMATCH");
    }

    @Test
    void aMessageThatIsNotJsonFailsTheRunUnlessTheIntegrationDeadLetteredIt() {
        kafka.createTopic("clearing-poison", 2);
        kafka.send("clearing-poison", 0, List.of("{\"txn\":\"T1\",\"day\":\"2026-11-20\",\"amount\":\"10.00\"}"));
        kafka.send("clearing-poison", 1, List.of(
                "{\"txn\":\"T2\",\"day\":\"2026-11-20\",\"amount\":\"2.00\"}",
                "{\"txn\": \"T3\", \"amou",                                       // cut off: may be T3, the target cannot tell
                "{\"txn\":\"T4\",\"day\":\"2026-11-20\",\"amount\":\"40.00\"}",
                "{\"txn\":\"T9\",\"day\":\"2026-11-20\",\"amount\":\"90.00\"}"));
        Reconciler reconciler = new Reconciler(new ReconcileStore(ferry.dataSource()), Clock.systemDefaultZone(), i -> null);
        Scope day = Scope.day("clearing", LocalDate.of(2026, 11, 20));

        assertThatThrownBy(() -> reconciler.run(definition("clearing-poison"), day, "test"))
                .isInstanceOf(ReconcileException.class)
                .hasMessageContaining("kafka topic clearing-poison: 1 message(s) not a JSON object")
                .hasMessageContaining("partition 1 offset 1");

        // the integration consuming the topic dead-lettered it: accounted for, the comparison goes on without it
        new dev.ferry.pipeline.DeadLetterStore(ferry.dataSource()).addSourceRejections("clearing", 0, 0, List.of(
                new dev.ferry.pipeline.DeadLetterStore.Rejection("clearing-poison-1@1", 0, "value", "not JSON", "{\"txn\": \"T3\", \"amou")));
        Reconciler.Result r = reconciler.run(definition("clearing-poison"), day, "test");
        assertThat(r.sourceRows()).isEqualTo(4);   // T1, T2, T4, T9: what the topic holds as records
        assertThat(r.differences()).isEmpty();
        assertThat(r.status()).isEqualTo("BALANCED");
    }

    @Test
    void aTopicThatDoesNotExistFailsTheRunNamingIt() {
        Reconciler reconciler = new Reconciler(new ReconcileStore(ferry.dataSource()), Clock.systemDefaultZone(), i -> null);

        assertThatThrownBy(() -> reconciler.run(definition("clearing-nosuch"), Scope.all("clearing"), "test"))
                .isInstanceOf(ReconcileException.class).hasMessageContaining("kafka topic clearing-nosuch");
    }
}
