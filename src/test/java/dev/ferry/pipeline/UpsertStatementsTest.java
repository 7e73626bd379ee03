package dev.ferry.pipeline;

import dev.ferry.Ferry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** MySQL 8.0.20+ deprecates VALUES() in ON DUPLICATE KEY UPDATE: no upsert Ferry runs may use it. */
class UpsertStatementsTest {

    private static final Pattern VALUES_FUNCTION = Pattern.compile("VALUES\\s*\\(\\s*`?[A-Za-z_]", Pattern.CASE_INSENSITIVE);

    @TempDir
    Path mappings;

    @Test
    void everyUpsertRunsWithoutTheValuesFunction() {
        writeMapping(mappings, "items.yaml", """
                integration: items
                key: "{id}"
                version: seq
                fields:
                  id:  { from: id, type: int, required: true }
                  val: { from: val }
                  qty: { from: qty, type: int }
                  seq: { from: seq, type: int }
                target: { table: item, mode: upsert, matchOn: [id] }
                """);
        try (Ferry ferry = Ferry.start(freshDatabase("upsert_statements", mappings,
                "CREATE TABLE item (id INT PRIMARY KEY, val VARCHAR(20), qty INT, seq INT)"))) {
            List<String> sql = new CopyOnWriteArrayList<>();
            DataSource recording = recording(ferry.dataSource(), sql);
            JdbcIntegrationPipeline pipeline = new JdbcIntegrationPipeline(recording, ferry.pipeline("items").target(), null, true);
            for (String[] page : new String[][]{
                    {"{\"id\":1,\"val\":\"a\",\"qty\":1,\"seq\":1}", "{\"id\":2,\"val\":\"b\",\"qty\":\"lots\",\"seq\":1}"},
                    {"{\"id\":1,\"val\":\"a2\",\"qty\":2,\"seq\":2}", "{\"id\":2,\"val\":\"b\",\"qty\":\"lots\",\"seq\":1}",
                            "{\"id\":3,\"val\":\"c\",\"qty\":3,\"seq\":1}"}}) {
                try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
                    run.submit(json(page), null, "page");
                    run.complete();
                }
            }
            FerryIdempotentRepository eip = new FerryIdempotentRepository(recording, "items-eip");
            assertThat(eip.add("k1#" + "a".repeat(32))).isTrue();
            assertThat(eip.add("k1#" + "b".repeat(32))).as("changed content").isTrue();
            assertThat(eip.add("k1#" + "b".repeat(32))).isFalse();

            List<String> upserts = sql.stream().filter(s -> s.toUpperCase().contains("ON DUPLICATE KEY UPDATE")).toList();
            assertThat(upserts).as("claims, target writes, dead letters, the EIP repository")
                    .anyMatch(s -> s.contains("ferry_idempotency") && s.contains("SELECT"))
                    .anyMatch(s -> s.contains("INSERT INTO `item`"))
                    .anyMatch(s -> s.contains("ferry_dead_letter"))
                    .anyMatch(s -> s.contains("VALUES (?, UNHEX(MD5(?))"));
            for (String s : upserts) {
                String update = s.substring(s.toUpperCase().indexOf("ON DUPLICATE KEY UPDATE"));
                assertThat(VALUES_FUNCTION.matcher(update).find()).as(s).isFalse();
            }
            assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT_WS(' ', id, val, qty, seq) ORDER BY id SEPARATOR ' / ') FROM item"))
                    .isEqualTo("1 a2 2 2 / 3 c 3 1");
            assertThat(queryString(ferry, "SELECT CONCAT_WS(' ', times_seen, field) FROM ferry_dead_letter")).isEqualTo("2 qty");
        }
    }

    /** A data source whose connections record every statement text they prepare or execute. */
    private static DataSource recording(DataSource ds, List<String> sql) {
        return (DataSource) Proxy.newProxyInstance(UpsertStatementsTest.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(ds, method, args);
                    return result instanceof Connection c ? recordingConnection(c, sql) : result;
                });
    }

    private static Connection recordingConnection(Connection c, List<String> sql) {
        return (Connection) Proxy.newProxyInstance(UpsertStatementsTest.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String s) {
                        sql.add(s);
                    }
                    return invoke(c, method, args);
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
