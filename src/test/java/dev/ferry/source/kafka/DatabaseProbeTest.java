package dev.ferry.source.kafka;

import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe the Kafka loop asks whether the database answers, against a real server and a port nothing listens on. */
class DatabaseProbeTest {

    @TempDir
    Path tmp;

    @Test
    void theProbeSaysTheServerAnswersOnItsOwnConnectionWithThePoolsSettings() {
        try (Ferry ferry = Ferry.start(FerryTestSupport.freshDatabase("kafka_probe", tmp))) {
            assertThat(new DatabaseProbe(ferry.dataSource()).answers()).isTrue();
        }
    }

    @Test
    void theProbeSaysAServerThatIsDownDoesNotAnswerWithoutWaitingForThePool() {
        try (HikariDataSource down = new HikariDataSource()) {
            down.setJdbcUrl("jdbc:mysql://127.0.0.1:" + FerryTestSupport.freePort() + "/ferry");
            down.setUsername(EmbeddedMariaDb.USER);
            down.setPassword(EmbeddedMariaDb.PASSWORD);
            down.setInitializationFailTimeout(-1); // the pool starts without its server, as Ferry's does during an outage
            assertThat(new DatabaseProbe(down).answers()).isFalse();
        }
    }

    @Test
    void aDataSourceThatIsNotAPoolIsLeftToTheNextAttempt() {
        DataSource other = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { DataSource.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "isWrapperFor" -> false;
                    case "getLogWriter" -> new PrintWriter(System.out);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        assertThat(new DatabaseProbe(other).answers()).isTrue();
    }
}
