package dev.ferry.authoring.validate;

import dev.ferry.FerryTestSupport;
import dev.ferry.cli.FerryCli;
import dev.ferry.devservices.EmbeddedMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ferry validate: each kind of mistake, with its exact message and position, and the shipped files passing. */
class FerryValidatorTest {

    private static FerryValidator validator;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        validator = new FerryValidator(null, false);
    }

    @AfterAll
    static void stop() {
        validator.close();
    }

    private List<String> problems(String fileName, String yaml) {
        Path file = FerryTestSupport.writeMapping(dir, fileName, yaml);
        return validator.validate(List.of(file)).problems().stream()
                .map(p -> p.line() + ":" + p.column() + ": " + p.message()).toList();
    }

    private static final String MAPPING = """
            integration: orders
            source:
              records: $.data[*]
            key: "{order_no}"
            fields:
              order_no: { from: orderNo, required: true }
              amount:   { from: amount, type: "decimal(10,2)" }
              status:   { from: state }
            target: { table: shop_order, matchOn: [order_no] }
            """;

    private static final String ROUTE = """
            - route:
                id: orders-pull
                from:
                  uri: "direct:orders"
                  steps:
                    - to:
                        uri: "ferry-http:orders"
                        parameters:
                          url: "{{orders.url}}"
                          pageSize: 50
            """;

    @Test
    void aSoundMappingAndRouteHaveNoProblem() {
        assertThat(problems("orders.yaml", MAPPING)).isEmpty();
        assertThat(problems("orders-route.yaml", ROUTE)).isEmpty();
    }

    @Test
    void yamlSyntaxErrorIsReportedWhereTheParserStopped() {
        assertThat(problems("broken.yaml", "- route:\n    id: x\n   from: y\n")).containsExactly(
                "3:4: YAML syntax error: while parsing a block mapping, expected <block end>, but found '<block mapping start>'"
                        + " (check indentation, quotes and ':' after each key)");
    }

    @Test
    void unknownFieldInAMappingNamesTheNearestKnownOne() {
        assertThat(problems("orders.yaml", MAPPING.replace("{ from: state }", "{ form: state }"))).containsExactly(
                "8:15: unknown field 'form' in fields.status (did you mean 'from'?)");
    }

    @Test
    void wrongTypeInAMappingAndInARouteParameter() {
        assertThat(problems("orders.yaml", MAPPING.replace("required: true", "required: maybe"))).containsExactly(
                "6:40: fields.order_no.required must be true or false, not 'maybe'");
        assertThat(problems("orders.yaml", MAPPING.replace("decimal(10,2)", "money"))).containsExactly(
                "7:35: fields.amount.type: 'money' is not a type (string, int, long, decimal(p,s), boolean, date, datetime)");
        assertThat(problems("orders-route.yaml", ROUTE.replace("pageSize: 50", "pageSize: fifty"))).containsExactly(
                "10:25: ferry-http: pageSize must be a whole number, not 'fifty'");
    }

    @Test
    void propertyPlaceholdersAreNotTypeErrors() {
        assertThat(problems("orders-route.yaml", ROUTE.replace("pageSize: 50", "pageSize: \"{{orders.page-size}}\""))).isEmpty();
    }

    @Test
    void unknownBuildingBlockSuggestsTheBlockMeant() {
        assertThat(problems("orders-route.yaml", ROUTE.replace("ferry-http:orders", "ferry-htp:orders"))).containsExactly(
                "7:19: unknown building block 'ferry-htp:' (did you mean 'ferry-http'?)");
    }

    @Test
    void missingRequiredParameterIsReportedAtTheParameters() {
        assertThat(problems("orders-route.yaml", ROUTE.replace("              url: \"{{orders.url}}\"\n", ""))).containsExactly(
                "8:13: ferry-http: missing required parameter 'url' (Request url; may hold ${...} variables (values are URL-encoded))");
    }

    @Test
    void unknownParameterSuggestsTheNearestParameter() {
        assertThat(problems("orders-route.yaml", ROUTE.replace("pageSize: 50", "pagesize: 50"))).containsExactly(
                "10:15: ferry-http: unknown parameter 'pagesize' (did you mean 'pageSize'?)");
        // parameters in the uri's query are placed at their own column
        assertThat(problems("orders-route.yaml", """
                - route:
                    id: orders-pull
                    from:
                      uri: "direct:orders"
                      steps:
                        - to: "ferry-http:orders?pageSze=5&url=x"
                """)).containsExactly("6:34: ferry-http: unknown parameter 'pageSze' (did you mean 'pageSize'?)");
    }

    @Test
    void camelComponentParametersAreCheckedAgainstCamelsCatalog() {
        assertThat(problems("orders-route.yaml", """
                - route:
                    id: orders-schedule
                    from:
                      uri: "quartz:ferry/orders"
                      parameters:
                        cronn: "0 0 * * * ?"
                      steps:
                        - to: "direct:orders"
                """)).containsExactly("6:9: quartz: unknown parameter 'cronn' (did you mean 'cron'?)");
    }

    @Test
    void routeStructureIsCheckedByCamelsYamlDsl() {
        assertThat(problems("orders-route.yaml", ROUTE.replace("    from:\n", "    form:\n"))).containsExactly(
                "3:5: unknown field 'form' (did you mean 'from'?)");
        assertThat(problems("orders-route.yaml", ROUTE.replace("- to:", "- too:"))).containsExactly(
                "6:11: unknown step 'too' (did you mean 'to'?)");
        assertThat(problems("orders-route.yaml", ROUTE.replace("    id: orders-pull\n", ""))).containsExactly(
                "1:3: route has no id (add 'id: <name>': Ferry's logs, JMX and status page name routes by id)");
    }

    @Test
    void aPullBlockCannotStartARoute() {
        assertThat(problems("orders-route.yaml", """
                - route:
                    id: orders
                    from:
                      uri: "ferry-http:orders"
                      parameters:
                        url: http://example.com
                      steps:
                        - log: "done"
                """)).containsExactly(
                "3:5: ferry-http cannot start a route (from:): it is used with to: after a trigger such as quartz: or direct:");
    }

    @Test
    void keyTemplateNamingAMissingField() {
        assertThat(problems("orders.yaml", MAPPING.replace("{order_no}", "{order_number}"))).containsExactly(
                "4:8: key: {order_number} names no field and no source path a field reads (fields: order_no, amount, status)");
        assertThat(problems("orders.yaml", MAPPING.replace("{order_no}", "{order_n}"))).containsExactly(
                "4:8: key: {order_n} names no field and no source path a field reads (did you mean 'order_no'?)");
        // a source path that a field reads is a valid placeholder
        assertThat(problems("orders.yaml", MAPPING.replace("{order_no}", "{orderNo}-{state}"))).isEmpty();
    }

    @Test
    void groovyThatDoesNotCompileIsPlacedInTheExpression() {
        assertThat(problems("orders.yaml", MAPPING.replace("{ from: state }", "{ expr: \"state +* 2\" }"))).containsExactly(
                "8:28: fields.status.expr: Groovy does not compile: Unexpected input: '+'");
        assertThat(problems("orders.yaml", MAPPING.replace("{ from: state }", "{ expr: \"System.exit(1)\" }"))).singleElement()
                .asString().startsWith("8:21: fields.status.expr: refused by the Groovy sandbox:");
    }

    @Test
    void jsonPathThatDoesNotParse() {
        assertThat(problems("orders.yaml", MAPPING.replace("$.data[*]", "$.data[*"))).containsExactly(
                "3:12: source.records: '$.data[*' is not a valid JSONPath: Expected wildcard token to end with ']' on position 8"
                        + " (e.g. $.data.items[*])");
    }

    @Test
    void fieldListsNameFields() {
        assertThat(problems("orders.yaml", MAPPING.replace("matchOn: [order_no]", "matchOn: [order_nr]"))).containsExactly(
                "9:40: target.matchOn: 'order_nr' is not a field (did you mean 'order_no'?)");
    }

    @Test
    void whatOnlyTheMappingLoaderChecksIsPlacedAtItsField() {
        assertThat(problems("orders.yaml", MAPPING.replace("{ from: state }", "{ from: state, format: yyyy }"))).containsExactly(
                "8:3: field 'status': format and zone apply only to date and datetime, not string");
    }

    @Test
    void reconciliationFileWithAnUnknownSetting() {
        assertThat(problems("orders.reconcile.yaml", """
                integration: orders
                source: { table: shop.orders, key: [order_no] }
                target: { table: shop_order, key: [order_no] }
                twoway: true
                """)).containsExactly("4:1: unknown setting 'twoway' (known: " + reconcileTopKeys() + ")");
    }

    private static String reconcileTopKeys() {
        try {
            var f = dev.ferry.reconcile.ReconcileLoader.class.getDeclaredField("TOP");
            f.setAccessible(true);
            return String.valueOf(f.get(null));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void targetColumnMissingInTheDatabase() throws Exception {
        var settings = FerryTestSupport.freshDatabase("validate_target", dir,
                "CREATE TABLE shop_order (order_no VARCHAR(32) PRIMARY KEY, amount DECIMAL(10,2), state VARCHAR(16))");
        com.mysql.cj.jdbc.MysqlDataSource ds = new com.mysql.cj.jdbc.MysqlDataSource();
        ds.setUrl(settings.dbUrl());
        ds.setUser(EmbeddedMariaDb.USER);
        ds.setPassword(EmbeddedMariaDb.PASSWORD);
        try (FerryValidator withDb = new FerryValidator((DataSource) ds, false)) {
            Path file = FerryTestSupport.writeMapping(dir, "orders.yaml", MAPPING);
            assertThat(withDb.validate(List.of(file)).problems()).map(p -> p.line() + ":" + p.column() + ": " + p.message())
                    .containsExactly("8:3: field 'status': table shop_order has no column 'status' (did you mean 'state'?)");
            Path other = FerryTestSupport.writeMapping(dir, "orders2.yaml", MAPPING.replace("table: shop_order", "table: shop_ordr"));
            assertThat(withDb.validate(List.of(other)).problems()).map(p -> p.line() + ":" + p.column() + ": " + p.message())
                    .containsExactly("9:18: target.table: no table 'shop_ordr' in database 'validate_target' (did you mean 'shop_order'?)");
        }
    }

    @Test
    void aRouteNamingAnIntegrationWithoutAMappingWhenTheMappingsAreChecked() {
        Path mapping = FerryTestSupport.writeMapping(dir, "orders.yaml", MAPPING);
        Path route = FerryTestSupport.writeMapping(dir, "orders-route.yaml", ROUTE.replace("ferry-http:orders", "ferry-http:ordrs"));
        assertThat(validator.validate(List.of(mapping, route)).problems()).map(p -> p.line() + ":" + p.column() + ": " + p.message())
                .containsExactly("7:30: ferry-http: no mapping file defines integration 'ordrs' (did you mean 'orders'?)");
        Path twin = FerryTestSupport.writeMapping(dir, "orders-copy.yaml", MAPPING);
        assertThat(validator.validate(List.of(mapping, twin)).problems()).map(p -> p.line() + ":" + p.column() + ": " + p.message())
                .containsExactly("1:14: integration 'orders' is also defined by " + mapping + " (one mapping file per integration)");
    }

    @Test
    void everyShippedRouteAndMappingValidates() {
        FerryValidator.Result result = validator.validate(List.of(Path.of("routes"), Path.of("mappings")));
        assertThat(result.problems()).isEmpty();
        assertThat(result.files()).hasSizeGreaterThanOrEqualTo(13).noneMatch(f -> f.toString().endsWith(".test.yaml"));
        FerryValidator.Result tutorial = validator.validate(List.of(Path.of("docs/tutorial/routes"), Path.of("docs/tutorial/mappings")));
        assertThat(tutorial.problems()).isEmpty();
        assertThat(tutorial.files()).hasSize(2);
    }

    @Test
    void theCommandPrintsFileLineColumnAndExitsOneOnAProblem() {
        Path bad = FerryTestSupport.writeMapping(dir, "orders.yaml", MAPPING.replace("{order_no}", "{order_number}"));
        Path good = FerryTestSupport.writeMapping(dir, "orders-route.yaml", ROUTE);
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int badExit;
        int goodExit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            badExit = new CommandLine(new FerryCli()).execute("validate", "--no-db", bad.toString());
            goodExit = new CommandLine(new FerryCli()).execute("validate", "--no-db", good.toString());
        } finally {
            System.setOut(stdout);
        }
        assertThat(badExit).isEqualTo(1);
        assertThat(goodExit).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                bad + ":4:8: key: {order_number} names no field and no source path a field reads (fields: order_no, amount, status)");
    }
}
