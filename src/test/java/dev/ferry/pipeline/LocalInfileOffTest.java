package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.devservices.EmbeddedMariaDb;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.writeMapping;
import static dev.ferry.pipeline.BadRowsAndOutagesTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server with {@code local_infile} OFF (MySQL 8's default). The embedded server is shared by the test JVM,
 * so the setting is restored after the class; surefire runs test classes one after another here.
 */
class LocalInfileOffTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @BeforeAll
    static void switchLocalInfileOff() throws SQLException {
        setLocalInfile(0);
    }

    @AfterAll
    static void restoreLocalInfile() throws SQLException {
        setLocalInfile(1);
    }

    private static void setLocalInfile(int value) throws SQLException {
        try (Connection c = DriverManager.getConnection(EmbeddedMariaDb.get().url(""), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("SET GLOBAL local_infile = " + value);
        }
    }

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void localInfileOffLogsOneStartupLineAndStagesWithBatchedInserts() {
        writeMapping(mappings, "m.yaml", """
                integration: notes
                key: "{id}"
                fields:
                  id:   { from: id }
                  text: { from: text }
                target: { table: note, matchOn: [id] }
                """);
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger logger = (Logger) LogManager.getLogger("dev.ferry.db.Database");
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                warnings.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        logger.addAppender(capture);
        try {
            ferry = Ferry.start(freshDatabase("local_infile_off_test", mappings,
                    "CREATE TABLE note (id VARCHAR(10) PRIMARY KEY, text VARCHAR(40))"));
        } finally {
            logger.removeAppender(capture);
        }
        assertThat(warnings).singleElement().asString()
                .startsWith("WARN The database has local_infile=OFF: staging falls back to batched INSERTs");

        try (SyncRun run = ferry.pipeline("notes").startRun(RunRequest.of("manual", null, null))) {
            BatchResult r = run.submit(Batch.of(json("{\"id\":\"N1\",\"text\":\"tab\\there\"}", "{\"id\":\"N2\",\"text\":null}"), "p1"));
            assertThat(r.inserted()).isEqualTo(2);
            run.complete();
        }
        assertThat(rows(ferry, "SELECT id, text FROM note ORDER BY id")).containsExactly("N1|tab\there", "N2|null");
    }
}
