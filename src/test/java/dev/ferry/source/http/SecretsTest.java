package dev.ferry.source.http;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest extends FerryHttpTestSupport {

    private static final List<String> SECRETS = List.of("tok-SECRET-1", "key-SECRET-2", "pw-SECRET-3", "sig-SECRET-4",
            "qs-SECRET-5");

    private String secretEndpoint(String path, String... more) {
        String[] base = { "url", api.base() + path + "?shop=7", "bearerToken", "tok-SECRET-1", "apiKey", "key-SECRET-2",
                "username", "ferry", "password", "pw-SECRET-3", "secretHeaders", "X-Sign=sig-SECRET-4",
                "secretQuery", "access_token=qs-SECRET-5", "headers", "X-Tenant=acme|Accept=application/json" };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return endpoint(all);
    }

    @Test
    void secretOptionsAreMaskedInTheSanitizedEndpointUri() {
        Endpoint endpoint = camel.getEndpoint(secretEndpoint("/items"));
        String shown = URISupport.sanitizeUri(endpoint.getEndpointUri());

        assertThat(shown).contains("headers=RAW(X-Tenant=acme%7CAccept=application/json)").contains("ferry-http://jst-refunds");
        SECRETS.forEach(s -> assertThat(shown).doesNotContain(s));
        SECRETS.forEach(s -> assertThat(endpoint.toString()).doesNotContain(s));
    }

    @Test
    void credentialsReachTheServer() {
        api.on("/items", (n, req) -> LocalApi.Reply.json(page(0, 1, null)));
        Exchange done = pull(secretEndpoint("/items"));

        assertThat(done.getException()).isNull();
        LocalApi.Seen req = api.requests.get(0);
        assertThat(req.header("Authorization")).isEqualTo("Bearer tok-SECRET-1");
        assertThat(req.header("X-api-key")).isEqualTo("key-SECRET-2");
        assertThat(req.header("X-sign")).isEqualTo("sig-SECRET-4");
        assertThat(req.header("X-tenant")).isEqualTo("acme");
        assertThat(req.query()).isEqualTo("shop=7&access_token=qs-SECRET-5");
        // the internal http endpoint holds scheme, host and port only
        camel.getEndpoints().forEach(e -> SECRETS.forEach(s -> assertThat(e.getEndpointUri().contains(s)
                && !e.getEndpointUri().startsWith("ferry-http")).as(e.getEndpointUri()).isFalse()));
    }

    @Test
    void secretsNeverAppearInErrorMessagesEvenWhenTheServerEchoesThem() {
        api.on("/items", (n, req) -> LocalApi.Reply.status(403,
                "{\"error\":\"token tok-SECRET-1 with sig-SECRET-4 on " + req.uri() + " refused\"}"));
        Exchange done = pull(secretEndpoint("/items"));

        String message = done.getException().getMessage();
        assertThat(message).startsWith("jst-refunds: GET " + api.base() + "/items?shop=7 (page 1) answered 403 Forbidden:")
                .contains("xxxxxx").contains("not retried (client error)");
        SECRETS.forEach(s -> assertThat(message).doesNotContain(s));
        assertThat(pipeline.lastRun().failedWith.getMessage()).isEqualTo(message);
    }
}
