package dev.ferry.ops;

import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.HawtioServer;
import dev.ferry.devservices.HeadlessChromium;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.KingdeeSalesOrders;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Hawtio 4 (its war from Maven Central in an embedded Jetty) connected to Ferry's Jolokia as a remote
 * connection, driven by headless Chromium: Camel → the {@code routes} folder → select an integration's polling
 * route → Stop, then Start. Whether polling stopped and resumed is checked where it shows — requests counted at
 * the real sample HTTP server and runs in Ferry's ledger — not in the browser.
 */
class HawtioConsoleBrowserTest {

    static final String POLL_ROUTE = "kingdee-sales-orders-poll";

    static SampleApiServer api;
    static OpsFerry ferry;
    static HawtioServer hawtio;
    static ChromeDriver browser;
    static Connection db;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(HeadlessChromium.missing().isEmpty(), () -> "browser test skipped: " + HeadlessChromium.missing().orElse(""));
        Path mappings = Files.createTempDirectory("ferry-hawtio-mappings");
        try (Stream<Path> files = Files.list(Path.of("mappings"))) {
            for (Path f : files.toList()) {
                Files.copy(f, mappings.resolve(f.getFileName()));
            }
        }
        String url = EmbeddedMariaDb.get().createDatabase("ops_hawtio_test");
        db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        try (Statement s = db.createStatement()) {
            for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                s.execute(sql);
            }
        }
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        api = SampleApiServer.builder().kingdee(new KingdeeSalesOrders(clock, 10, 48, 3L)).jst(new JstRefunds(clock, 20, 24, 3L))
                .clock(clock).start();
        ferry = OpsFerry.start(url, mappings, api, clock, Map.of());
        hawtio = HawtioServer.start(FerryTestSupport.freePort());
        browser = HeadlessChromium.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (hawtio != null) {
            hawtio.close();
        }
        if (ferry != null) {
            ferry.close();
        }
        if (api != null) {
            api.close();
        }
        if (db != null) {
            db.close();
        }
    }

    static CamelContext camel() {
        return ferry.main.getCamelContext();
    }

    static long kingdeeRuns() throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT COUNT(*) FROM ferry_run WHERE integration = 'kingdee-sales-orders'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    By routeRow(String routeId) {
        return By.xpath("//tr[td[@data-label='Name' and normalize-space()='" + routeId + "']]");
    }

    String stateShown(String routeId) {
        return browser.findElement(routeRow(routeId)).findElement(By.cssSelector("td[data-label='State']")).getText().strip();
    }

    void clickInHawtio(String routeId, String button) {
        WebElement box = waitUpTo(20).until(ExpectedConditions.presenceOfNestedElementLocatedBy(routeRow(routeId),
                By.cssSelector("input[type='checkbox']")));
        if (!box.isSelected()) {
            box.click();
        }
        waitUpTo(10).until(ExpectedConditions.elementToBeClickable(By.xpath("//button[normalize-space()='" + button + "']"))).click();
    }

    @Test
    void hawtioStopsAndStartsAnIntegrationsPollingRouteAndPollingStopsAndResumesAtTheSourceApi() throws Exception {
        // Connect → a remote connection to Ferry's Jolokia (what the Connect page saves), opened with ?con=
        browser.get(hawtio.baseUrl());
        browser.executeScript(HawtioServer.connectionScript("ferry", "localhost", ferry.managementPort, "/observe/jolokia"));
        browser.get(hawtio.url("ferry"));

        // Camel → the context's routes folder → the Routes table
        waitUpTo(60).until(ExpectedConditions.elementToBeClickable(
                By.xpath("//button[contains(@class,'tree-view__node-text') and normalize-space()='routes']"))).click();
        waitUpTo(30).until(d -> stateShown(POLL_ROUTE).equals("Started"));

        int before = api.kingdeeFaults().requests();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.kingdeeFaults().requests() > before);

        clickInHawtio(POLL_ROUTE, "Stop");
        waitUpTo(30).until(d -> stateShown(POLL_ROUTE).equals("Stopped"));
        assertThat(camel().getRouteController().getRouteStatus(POLL_ROUTE)).isEqualTo(ServiceStatus.Stopped);
        assertThat(camel().getRouteController().getRouteStatus("kingdee-sales-orders-pull"))
                .as("only the selected route").isEqualTo(ServiceStatus.Started);

        // stopped: a stop waits for the exchange in flight, so nothing polls after it — no request, no run
        int requestsWhenStopped = api.kingdeeFaults().requests();
        long runsWhenStopped = kingdeeRuns();
        NotifyBuilder whileStopped = new NotifyBuilder(camel()).fromRoute(POLL_ROUTE).whenDone(1).create();
        assertThat(whileStopped.matches(1500, TimeUnit.MILLISECONDS)).as("no poll while stopped").isFalse();
        assertThat(api.kingdeeFaults().requests()).as("no request reached the source API").isEqualTo(requestsWhenStopped);
        assertThat(kingdeeRuns()).as("no run in the ledger").isEqualTo(runsWhenStopped);

        clickInHawtio(POLL_ROUTE, "Start");
        waitUpTo(30).until(d -> stateShown(POLL_ROUTE).equals("Started"));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.kingdeeFaults().requests() >= requestsWhenStopped + 2 && kingdeeRuns() >= runsWhenStopped + 2);
        assertThat(camel().getRouteController().getRouteStatus(POLL_ROUTE)).isEqualTo(ServiceStatus.Started);
    }
}
