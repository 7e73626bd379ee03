package dev.ferry.source.push;

import org.apache.camel.CamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The push route the push tests run: {@code ferry-push:shop-orders} on 127.0.0.1 with a token and more parameters. */
final class PushRoutes {

    private PushRoutes() {
    }

    /**
     * The route's YAML; {@code parameters} are further endpoint parameters as "name: value" lines.
     *
     * @param port 0 for any free port (the endpoint's {@code boundPort()} tells which)
     */
    static String yaml(String id, int port, String token, String... parameters) {
        String extra = Stream.of(parameters).map(p -> "        " + p + "\n").collect(Collectors.joining());
        return """
                - route:
                    id: %s
                    from:
                      uri: "ferry-push:shop-orders"
                      parameters:
                        host: 127.0.0.1
                        port: %d
                        token: "RAW(%s)"
                %s      steps:
                        - log: "never called"
                """.formatted(id, port, token, extra);
    }

    /** Starts the route in {@code camel} and returns the URL clients post to. */
    static String start(CamelContext camel, String id, int port, String token, String... parameters) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString(id + ".yaml", yaml(id, port, token, parameters)));
        int bound = ((FerryPushEndpoint) camel.getRoute(id).getEndpoint()).boundPort();
        return "http://127.0.0.1:" + bound + "/push/shop-orders";
    }
}
