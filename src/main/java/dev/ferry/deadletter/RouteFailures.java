package dev.ferry.deadletter;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.DeadLetterChannelBuilder;

/**
 * Makes Camel's own {@code deadLetterChannel} to {@code ferry-deadletter:} the default error handler of every
 * route in the context (Java DSL and route files alike), so a failed exchange lands in Ferry's dead-letter store
 * whichever route it failed in. A route declaring its own {@code errorHandler} keeps it.
 */
public final class RouteFailures {

    private RouteFailures() {
    }

    public static void install(CamelContext camel) {
        DeadLetterChannelBuilder dlc = new DeadLetterChannelBuilder(FerryDeadLetterComponent.SCHEME + ":" + FerryDeadLetterEndpoint.FAILED_ROUTE);
        // an outage re-thrown by the dead-letter endpoint fails the exchange as it would without the channel
        dlc.deadLetterHandleNewException(false);
        
        camel.getCamelContextExtension().setErrorHandlerFactory(dlc);
    }
}
