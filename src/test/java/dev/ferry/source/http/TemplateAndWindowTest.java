package dev.ferry.source.http;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateAndWindowTest extends FerryHttpTestSupport {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final RequestTemplate.Values VALUES = new RequestTemplate.Values(
            ZonedDateTime.of(2026, 11, 22, 6, 0, 0, 0, SHANGHAI), ZonedDateTime.of(2026, 11, 22, 10, 0, 0, 0, SHANGHAI),
            ZonedDateTime.of(2026, 11, 22, 10, 0, 0, 0, SHANGHAI), "yyyy-MM-dd HH:mm:ss",
            Map.of("PAGE", "3", "CURSOR", "a\"b\\c d"));

    @Test
    void timeVariablesWithDefaultAndCustomPatterns() {
        RequestTemplate t = new RequestTemplate("{\"from\":\"${LAST_SYNC_TIME}\",\"to\":\"${CURRENT_TIME:yyyy-MM-dd'T'HH:mm:ssXXX}\","
                + "\"y\":\"${DAYS_AGO_1}\",\"w\":\"${DAYS_AGO_7:yyyyMMdd}\",\"p\":${PAGE}}", RequestTemplate.Escaping.JSON);

        assertThat(t.render(VALUES)).isEqualTo("{\"from\":\"2026-11-22 06:00:00\",\"to\":\"2026-11-22T10:00:00+08:00\","
                + "\"y\":\"2026-11-21 00:00:00\",\"w\":\"20261115\",\"p\":3}");
    }

    @Test
    void valuesAreEscapedForWhereTheyLand() {
        assertThat(new RequestTemplate("{\"cursor\":\"${CURSOR}\"}", RequestTemplate.Escaping.JSON).render(VALUES))
                .isEqualTo("{\"cursor\":\"a\\\"b\\\\c d\"}");
        assertThat(new RequestTemplate("/q?c=${CURSOR}&since=${LAST_SYNC_TIME}", RequestTemplate.Escaping.URL).render(VALUES))
                .isEqualTo("/q?c=a%22b%5Cc%20d&since=2026-11-22%2006%3A00%3A00");
    }

    @Test
    void unknownVariableOrBadPatternIsRejectedUpFront() {
        assertThatThrownBy(() -> new RequestTemplate("${LAST_SYNC}", RequestTemplate.Escaping.URL))
                .hasMessageContaining("Unknown variable ${LAST_SYNC}");
        assertThatThrownBy(() -> new RequestTemplate("${CURRENT_TIME:yyyy-MM-dd bb}", RequestTemplate.Escaping.URL))
                .hasMessageContaining("Bad date-time pattern");
        assertThatThrownBy(() -> pull(endpoint("url", api.base() + "/x?since=${LAST_SYNC}")))
                .hasStackTraceContaining("Unknown variable ${LAST_SYNC}");
        assertThat(pipeline.runs).isEmpty();
    }

    @Test
    void incrementalWindowStartsOverlapBeforeThePositionAndEndsNow() {
        api.on("/refunds", (n, req) -> LocalApi.Reply.json(page(0, 1, null)));
        Exchange done = pull(endpoint("url", api.base() + "/refunds?start_time=${LAST_SYNC_TIME}&end_time=${CURRENT_TIME}",
                "overlap", "PT2H"));

        assertThat(done.getException()).isNull();
        assertThat(URLDecoder.decode(api.requests.get(0).query(), StandardCharsets.UTF_8))
                .isEqualTo("start_time=2026-11-22 06:00:00&end_time=2026-11-22 10:00:00");
        RecordingPipeline.Run run = pipeline.lastRun();
        assertThat(run.windowFrom).isEqualTo("2026-11-22 06:00:00");
        assertThat(run.windowTo).isEqualTo("2026-11-22 10:00:00");
        assertThat(run.completedWith).isEqualTo("2026-11-22 09:59:00"); // now minus the clock fallback's default lag (1 minute)
        assertThat(pipeline.position).isEqualTo("2026-11-22 09:59:00");
    }

    @Test
    void firstRunStartsAtInitialPosition() {
        pipeline.position = null;
        api.on("/refunds", (n, req) -> LocalApi.Reply.json(page(0, 1, null)));
        Exchange done = pull(endpoint("url", api.base() + "/refunds", "method", "POST",
                "body", "{\"start_time\": \"${LAST_SYNC_TIME}\"}", "initialPosition", "2026-11-01 00:00:00", "overlap", "2h"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests.get(0).body()).isEqualTo("{\"start_time\": \"2026-11-01 00:00:00\"}");
        assertThat(pipeline.position).isEqualTo("2026-11-22 09:59:00");
    }

    @Test
    void noPositionAndNoInitialPositionFailsClearly() {
        pipeline.position = null;
        api.on("/refunds", (n, req) -> LocalApi.Reply.json(page(0, 1, null)));
        Exchange done = pull(endpoint("url", api.base() + "/refunds?since=${LAST_SYNC_TIME}"));

        assertThat(done.getException()).hasMessageContaining("jst-refunds: the schedule run cannot start: no committed position and no initialPosition");
        assertThat(api.requests).isEmpty();
        assertThat(pipeline.failedStarts).singleElement().asString().contains("no committed position and no initialPosition");
    }

    @Test
    void remedyWindowRepullsYesterdayAndLeavesThePosition() {
        api.on("/refunds", (n, req) -> LocalApi.Reply.json(page(0, 2, null)));
        Exchange done = pull(endpoint("url", api.base() + "/refunds", "method", "POST", "window", "remedy",
                "body", "{\"start_time\": \"${LAST_SYNC_TIME}\", \"end_time\": \"${CURRENT_TIME}\", \"d\": \"${DAYS_AGO_1}\"}"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests.get(0).body()).isEqualTo(
                "{\"start_time\": \"2026-11-21 00:00:00\", \"end_time\": \"2026-11-22 00:00:00\", \"d\": \"2026-11-21 00:00:00\"}");
        RecordingPipeline.Run run = pipeline.lastRun();
        assertThat(run.windowFrom).isEqualTo("2026-11-21 00:00:00");
        assertThat(run.windowTo).isEqualTo("2026-11-22 00:00:00");
        assertThat(run.completed).isTrue();
        assertThat(run.completedWith).isNull();
        assertThat(pipeline.position).isEqualTo("2026-11-22 08:00:00");
    }

    @Test
    void timeVariablesWithoutAZoneFailAtRouteStart() {
        assertThatThrownBy(() -> pull("ferry-http:jst-refunds?clock=#testClock&recordSelector=#itemsSelector&url=RAW("
                + api.base() + "/refunds?since=${LAST_SYNC_TIME})"))
                .hasMessageContaining("the templates use time variables, so set zone");
        assertThat(pipeline.runs).isEmpty();
        assertThat(api.requests).isEmpty();
    }

    @Test
    void remedyDaysWidensTheWindow() {
        api.on("/refunds", (n, req) -> LocalApi.Reply.json(page(0, 1, null)));
        pull(endpoint("url", api.base() + "/refunds", "window", "remedy", "remedyDays", "3"));

        assertThat(pipeline.lastRun().windowFrom).isEqualTo("2026-11-19 00:00:00");
    }
}
