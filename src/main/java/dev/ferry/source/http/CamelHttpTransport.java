package dev.ferry.source.http;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends one request through camel-http. One {@code http:} endpoint per scheme+host of a ferry-http endpoint
 * (the request url travels in the {@code CamelHttpUri} header, so pages never create endpoints), with
 * {@code throwExceptionOnFailure=false} so statuses and headers are read here, and with HttpClient's own
 * automatic retries off so {@link RetryPolicy} alone decides (HttpClient 5 would otherwise retry 429/503 itself).
 * The http endpoint uri holds only scheme, host and port: query secrets never reach the endpoint registry or JMX.
 */
final class CamelHttpTransport {

    /** Bean name of the HttpClientConfigurer that disables HttpClient's automatic retries. */
    static final String NO_RETRY_CONFIGURER = "ferryHttpNoAutoRetry";

    private final CamelContext context;
    private final ProducerTemplate template;
    private final String endpointOptions;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    CamelHttpTransport(CamelContext context, ProducerTemplate template, Duration connectTimeout, Duration responseTimeout) {
        this.context = context;
        this.template = template;
        if (context.getRegistry().lookupByName(NO_RETRY_CONFIGURER) == null) {
            context.getRegistry().bind(NO_RETRY_CONFIGURER, (org.apache.camel.component.http.HttpClientConfigurer)
                    builder -> builder.disableAutomaticRetries());
        }
        // connectTimeout/responseTimeout/soTimeout are read by HttpComponent.createEndpoint (millis)
        this.endpointOptions = "throwExceptionOnFailure=false&followRedirects=false"
                + "&connectTimeout=" + connectTimeout.toMillis()
                + "&connectionRequestTimeout=" + connectTimeout.toMillis()
                + "&responseTimeout=" + responseTimeout.toMillis()
                + "&soTimeout=" + responseTimeout.toMillis()
                + "&httpClientConfigurer=#" + NO_RETRY_CONFIGURER;
    }

    HttpAnswer send(String method, URI uri, Map<String, String> headers, String body) throws Exception {
        Endpoint endpoint = endpoints.computeIfAbsent(uri.getScheme() + "://" + uri.getRawAuthority(),
                base -> context.getEndpoint(base + "?" + endpointOptions));
        Exchange exchange = new DefaultExchange(context, ExchangePattern.InOut);
        exchange.setProperty(Exchange.CHARSET_NAME, StandardCharsets.UTF_8.name());
        headers.forEach(exchange.getIn()::setHeader);
        exchange.getIn().setHeader(Exchange.HTTP_METHOD, method);
        exchange.getIn().setHeader(Exchange.HTTP_URI, uri.toString());
        if (body != null) {
            exchange.getIn().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=UTF-8");
            exchange.getIn().setBody(body);
        }
        Exchange done = template.send(endpoint, exchange);
        if (done.getException() != null) {
            throw done.getException();
        }
        var out = done.getMessage();
        Integer status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return new HttpAnswer(status == null ? 0 : status,
                out.getHeader(Exchange.HTTP_RESPONSE_TEXT, String.class),
                bodyBytes(out),
                header(out.getHeader("Retry-After")),
                header(out.getHeader("Link")));
    }

    /**
     * The response body as bytes, read once: camel-http hands over its stream cache, whose bytes are copied out
     * exactly once ({@code readAllBytes}); {@code getBody(String.class)} decoded through a growing char buffer.
     */
    private static byte[] bodyBytes(org.apache.camel.Message out) throws java.io.IOException {
        Object body = out.getBody();
        if (body == null) {
            return null;
        }
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        if (body instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try (java.io.InputStream in = out.getBody(java.io.InputStream.class)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** A repeated response header arrives as a list; Link values may then be joined with commas. */
    private static String header(Object value) {
        if (value instanceof Collection<?> c) {
            return String.join(", ", c.stream().map(String::valueOf).toList());
        }
        return value == null ? null : value.toString();
    }
}
