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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Operations in headless Chromium (Debian's chromium + chromium-driver; skipped with the reason where absent),
 * against one Ferry started for the class.
 * <p>
 * A real Hawtio 4 (its war from Maven Central in an embedded Jetty) connected to Ferry's Jolokia as a remote
 * connection, driven by headless Chromium: Camel → the {@code routes} folder → select an integration's polling
 * route → Stop, then Start. Whether polling stopped and resumed is checked where it shows — requests counted at
 * the real sample HTTP server and runs in Ferry's ledger — not in the browser.
 * <p>
 * Ferry's status page after a real run: its ECharts charts exist (canvas) and carry that run's numbers as the
 * ledger has them; pausing from the page (admin token typed in) stores the pause and the page shows it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsInBrowserTest {

    static final String POLL_ROUTE = "kingdee-sales-orders-poll";

    static SampleApiServer api;
    static OpsFerry ferry;
    static HawtioServer hawtio;
    static ChromeDriver browser;
    static Connection db;

    @BeforeAll
    static void start() throws Exception {
        if (HeadlessChromium.missing().isPresent()) {
            return; // each test reports itself skipped with the reason (below)
        }
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

    @BeforeEach
    void browserPresent() {
        assumeTrue(HeadlessChromium.missing().isEmpty(), () -> "browser test skipped: " + HeadlessChromium.missing().orElse(""));
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
    @Order(1)
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

    static List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int c = 1; c <= columns; c++) {
                    row.append(c > 1 ? " | " : "").append(rs.getString(c));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    /** A chart as the page drew it: whether ECharts rendered a canvas, its categories and its series. */
    JsonNode chart(String id) {
        return OpsFerry.parse((String) browser.executeScript("const el = document.getElementById(arguments[0]);"
                + "const o = echarts.getInstanceByDom(el).getOption();"
                + "const canvas = el.querySelector('canvas');"
                + "return JSON.stringify({canvas: !!canvas && canvas.width > 0, categories: o.xAxis[0].data,"
                + " series: o.series.map(s => ({name: s.name, data: s.data}))});", id));
    }

    static JsonNode series(JsonNode chart, String name) {
        for (JsonNode s : chart.path("series")) {
            if (name.equals(s.path("name").asText())) {
                return s.path("data");
            }
        }
        throw new AssertionError("no series " + name + " in " + chart);
    }

    String stateOnPage(String integration) {
        return textOnPage("#integrations tr[data-integration='" + integration + "'] td.state");
    }

    /** Read in one script call: the page re-renders its rows on every refresh, so a found element can go stale before getText. */
    String textOnPage(String css) {
        Object text = browser.executeScript("const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : ''", css);
        return String.valueOf(text);
    }

    @Test
    @Order(2)
    void statusPageChartsARealRunFromTheLedgerAndPausingFromThePageShowsAsPaused() throws Exception {
        camel().getRouteController().stopRoute(POLL_ROUTE); // the polling route's runs would crowd the charts
        camel().createProducerTemplate().send("direct:jst-refunds-pull", e -> { });
        List<String> run = rows("SELECT id, status, TIMESTAMPDIFF(MICROSECOND, started_at, ended_at) / 1000 FROM ferry_run "
                + "WHERE integration = 'jst-refunds' ORDER BY id DESC LIMIT 1");
        assertThat(run).hasSize(1);
        String[] r = run.get(0).split(" \\| ");
        assertThat(r[1]).isEqualTo("SUCCEEDED");
        List<String> perHour = rows("SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00'), SUM(inserted + updated) FROM ferry_batch "
                + "WHERE integration = 'jst-refunds' GROUP BY 1 ORDER BY 1");
        assertThat(perHour).isNotEmpty();

        browser.get(ferry.server("/status").toString());
        waitUpTo(30).until(d -> "true".equals(browser.executeScript("return document.body.dataset.loaded")));

        assertThat(stateOnPage("jst-refunds")).isEqualTo("running");
        assertThat(textOnPage("#integrations tr[data-integration='jst-refunds']")).contains("#" + r[0]).contains("SUCCEEDED");

        JsonNode records = chart("chart-records");
        assertThat(records.path("canvas").asBoolean()).as("ECharts drew a canvas").isTrue();
        JsonNode jstPerHour = series(records, "jst-refunds");
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < records.path("categories").size(); i++) {
            if (jstPerHour.get(i).asLong() > 0) {
                shown.add(records.path("categories").get(i).asText() + " | " + jstPerHour.get(i).asLong());
            }
        }
        assertThat(shown).as("records promoted per hour, as the ledger has them").containsExactlyElementsOf(perHour.stream()
                .filter(h -> !h.endsWith(" | 0")).toList());

        JsonNode durations = chart("chart-durations");
        assertThat(durations.path("canvas").asBoolean()).isTrue();
        int at = -1;
        for (int i = 0; i < durations.path("categories").size(); i++) {
            if (durations.path("categories").get(i).asText().equals("#" + r[0])) {
                at = i;
            }
        }
        assertThat(at).as("the run is on the duration chart").isNotNegative();
        assertThat(series(durations, "jst-refunds").get(at).asDouble()).isEqualTo(Double.parseDouble(r[2]) / 1000);

        JsonNode differences = chart("chart-differences");
        assertThat(differences.path("canvas").asBoolean()).isTrue();
        List<String> checks = rows("SELECT label, missing, different FROM (SELECT id, CONCAT(integration, ' #', id) AS label, missing, "
                + "different FROM ferry_reconciliation ORDER BY id DESC LIMIT 50) newest ORDER BY id"); // the page charts the newest 50
        assertThat(checks).anyMatch(c -> c.startsWith("jst-refunds #"));
        List<String> drawn = new ArrayList<>();
        for (int i = 0; i < differences.path("categories").size(); i++) {
            drawn.add(differences.path("categories").get(i).asText() + " | " + series(differences, "missing").get(i).asLong()
                    + " | " + series(differences, "different").get(i).asLong());
        }
        assertThat(drawn).as("reconciliation checks with their differences").containsExactlyElementsOf(checks);

        // pause from the page: the admin token typed in, the pause stored, the page shows it
        browser.findElement(By.id("token")).sendKeys(OpsFerry.ADMIN_TOKEN);
        browser.findElement(By.cssSelector("button[data-integration='jst-refunds'][data-action='pause']")).click();
        waitUpTo(15).until(d -> stateOnPage("jst-refunds").equals("paused"));
        assertThat(rows("SELECT paused_by, reason FROM ferry_pause")).containsExactly("api | from the status page");
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("jst-refunds: paused");
        browser.navigate().refresh();
        waitUpTo(30).until(d -> "true".equals(browser.executeScript("return document.body.dataset.loaded")));
        assertThat(stateOnPage("jst-refunds")).as("read back from Ferry after a reload").isEqualTo("paused");

        browser.findElement(By.id("token")).sendKeys(OpsFerry.ADMIN_TOKEN);
        browser.findElement(By.cssSelector("button[data-integration='jst-refunds'][data-action='resume']")).click();
        waitUpTo(15).until(d -> stateOnPage("jst-refunds").equals("running"));
        assertThat(rows("SELECT paused_by FROM ferry_pause")).isEmpty();
    }
}
