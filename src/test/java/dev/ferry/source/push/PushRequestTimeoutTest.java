package dev.ferry.source.push;

import dev.ferry.FerryChild;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that send half a request — one with half its headers, the others with half a body — on all but one of the
 * push server's workers: Ferry (camel-main, in a JVM of its own: the JDK reads the timeout once per JVM) cuts them off
 * after {@code ferry.push.request-timeout}, and a well-formed push sent meanwhile is promoted. (Not on all four: the
 * JDK's clock for a request starts when its connection is accepted, so a request queued behind them would be cut too.)
 */
class PushRequestTimeoutTest {

    static final String TOKEN = "push-token-0123456789abcdef";
    Process child;

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void halfSentRequestsAreCutOffAndAWholeOneIsPromotedMeanwhile(@TempDir Path tmp) throws Exception {
        FerryTestSupport.writeMapping(tmp.resolve("mappings"), "shop-orders.yaml", PushEndpointTest.MAPPING);
        FerrySettings settings = FerryTestSupport.freshDatabase("push_request_timeout", tmp.resolve("mappings"),
                "CREATE TABLE shop_order (order_no VARCHAR(40) PRIMARY KEY, amount DECIMAL(12,2) NOT NULL)");
        int port = FerryTestSupport.freePort();
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        Files.writeString(routes.resolve("shop-orders-push.yaml"), PushRoutes.yaml("shop-orders-push", port, TOKEN));
        child = FerryChild.start(routes, settings, tmp.resolve("child.log"), "ferry.push.request-timeout=PT2S");
        String url = "http://127.0.0.1:" + port + "/push/shop-orders";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        await().atMost(Duration.ofSeconds(120)).ignoreExceptionsInstanceOf(IOException.class) // not listening yet, or starting
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 405);

        List<Socket> halfSent = new ArrayList<>();
        halfSent.add(send(port, "POST /push/shop-orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN + "\r\n"));
        for (int i = 1; i < PushWorkers.WORKERS - 1; i++) {
            halfSent.add(send(port, "POST /push/shop-orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"order_no\": \"H" + i));
        }
        CompletableFuture<HttpResponse<String>> whole = http.sendAsync(HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"order_no\": \"W1\", \"amount\": 12.5}")).build(),
                HttpResponse.BodyHandlers.ofString());

        for (Socket s : halfSent) {
            assertThat(closedByServer(s)).as("the server closed a half-sent request").isTrue();
        }
        HttpResponse<String> r = whole.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).contains("\"promoted\":1");
        assertThat(rows(settings)).containsExactly("W1|12.50");
    }

    @Test
    void aTimeoutTheOperatorSetForTheJvmWinsOverFerrysSetting() {
        String before = System.getProperty(PushRequestTimeout.JDK_PROPERTY);
        try {
            System.setProperty(PushRequestTimeout.JDK_PROPERTY, "7");
            PushRequestTimeout.apply("PT2S");
            assertThat(System.getProperty(PushRequestTimeout.JDK_PROPERTY)).isEqualTo("7");
        } finally {
            if (before == null) {
                System.clearProperty(PushRequestTimeout.JDK_PROPERTY);
            } else {
                System.setProperty(PushRequestTimeout.JDK_PROPERTY, before);
            }
        }
    }

    private static Socket send(int port, String part) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.getOutputStream().write(part.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return s;
    }

    /** The server ends the connection (end of stream or reset) without answering; 30 s without that is a failure. */
    private static boolean closedByServer(Socket s) throws IOException {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            try {
                return in.read() == -1;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // connection reset
            }
        }
    }

    private static List<String> rows(FerrySettings settings) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = java.sql.DriverManager.getConnection(settings.dbUrl(), settings.dbUsername(), settings.dbPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT order_no, amount FROM shop_order ORDER BY order_no")) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2));
            }
        }
        return out;
    }
}
