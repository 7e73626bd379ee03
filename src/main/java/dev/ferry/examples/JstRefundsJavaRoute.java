package dev.ferry.examples;

import org.apache.camel.builder.RouteBuilder;

/**
 * The Jushuitan refunds pull of {@code routes/jst-refunds.yaml}, written in Camel's Java DSL with the same building
 * block ({@code ferry-http}) and the same mapping ({@code mappings/jst-refunds.yaml}): a sample for developers who
 * prefer Java (README "Java DSL routes"). Not active by default; camel-main picks it up with
 * {@code camel.main.base-package-scan = dev.ferry.examples} (every RouteBuilder of the package; narrow it with
 * {@code camel.main.java-routes-include-pattern = dev/ferry/examples/JstRefunds*}) or by name with
 * {@code camel.main.routes-builder-classes = dev.ferry.examples.JstRefundsJavaRoute}.
 */
public class JstRefundsJavaRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("quartz:ferry/jst-refunds-java?cron={{jst.cron}}")
                .routeId("jst-refunds-java-schedule")
                .to("direct:jst-refunds-java-pull");

        from("direct:jst-refunds-java-pull")
                .routeId("jst-refunds-java-pull")
                // the path is the mapping's integration name; values holding & + % or JSON go in RAW(...), as in YAML
                .to("ferry-http:jst-refunds"
                        + "?url=RAW({{jst.base-url}}/open/refund/list/query)"
                        + "&method=POST"
                        + "&body=RAW({\"page_index\": ${PAGE}, \"page_size\": ${PAGE_SIZE}, "
                        + "\"start_time\": \"${LAST_SYNC_TIME}\", \"end_time\": \"${CURRENT_TIME}\"})"
                        + "&pagination=page&pageSize=50"
                        + "&hasNextPath=$.data.has_next&totalPath=$.data.data_count"
                        + "&successPath=$.code&successValues=0&errorMessagePath=$.msg"
                        + "&maxWindow=P7D&cursorField=modified&overlap=PT2H"
                        + "&initialPosition=RAW({{ferry.initial-position}})&zone=Asia/Shanghai"
                        + "&apiKeyHeader=X-Api-Key&apiKey=RAW({{jst.api-key}})&rateLimit=20&maxRetries=5")
                .log("jst-refunds (Java DSL) pull finished: ${body}");
    }
}
