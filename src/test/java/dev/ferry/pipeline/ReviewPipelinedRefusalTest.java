package dev.ferry.pipeline;

import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

class ReviewPipelinedRefusalTest {
    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) ferry.close();
    }

    @Test
    void refusalAtPromotionOfAPipelinedBatch() throws Exception {
        writeMapping(mappings, "products.yaml", """
                integration: products
                key: "{id}"
                fields:
                  id:   { from: id, required: true }
                  qty:  { from: qty, type: int }
                target: { table: product, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("review_refusal", mappings,
                "CREATE TABLE product (id VARCHAR(10) PRIMARY KEY, qty INT, CONSTRAINT chk_qty CHECK (qty >= 0))"));
        JdbcIntegrationPipeline pipeline = ferry.pipeline("products");
        BatchResult r;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            CompletableFuture<BatchResult> f = run.submitAsync(Batch.of(json(
                    "{\"id\":\"P1\",\"qty\":1}", "{\"id\":\"P2\",\"qty\":2}", "{\"id\":\"P3\",\"qty\":-1}",
                    "{\"id\":\"P4\",\"qty\":4}"), "page 1"));
            r = f.get(60, TimeUnit.SECONDS);
            System.out.println("REVIEW status=" + run.complete());
        }
        System.out.println("REVIEW result=" + r);
        System.out.println("REVIEW rows=" + queryLong(ferry, "SELECT COUNT(*) FROM product")
                + " deadLetters=" + queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter"));
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM product")).isEqualTo(3);
    }
    @Test
    void refusalAtStagingOfAPipelinedBatch() throws Exception {
        writeMapping(mappings, "products.yaml", """
                integration: products
                key: "{id}"
                fields:
                  id:   { from: id, required: true }
                  qty:  { from: qty, type: int }
                  name: { from: name }
                target: { table: product, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("review_refusal2", mappings,
                "CREATE TABLE product (id VARCHAR(10) PRIMARY KEY, qty INT, name VARCHAR(20) CHARACTER SET utf8mb3)"));
        JdbcIntegrationPipeline pipeline = ferry.pipeline("products");
        BatchResult r;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            CompletableFuture<BatchResult> f = run.submitAsync(Batch.of(json(
                    "{\"id\":\"P1\",\"qty\":1}", "{\"id\":\"P2\",\"qty\":2}", "{\"id\":\"P3\",\"qty\":3,\"name\":\"x\uD83D\uDE00\"}",
                    "{\"id\":\"P4\",\"qty\":4}"), "page 1"));
            r = f.get(60, TimeUnit.SECONDS);
            System.out.println("REVIEW status=" + run.complete());
        }
        System.out.println("REVIEW result=" + r);
        System.out.println("REVIEW rows=" + queryLong(ferry, "SELECT COUNT(*) FROM product")
                + " deadLetters=" + queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter"));
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM product")).isEqualTo(3);
    }
}
