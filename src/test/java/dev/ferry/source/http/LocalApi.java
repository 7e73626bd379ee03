package dev.ferry.source.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real HTTP server on 127.0.0.1 with small handlers; it records every request it saw. */
final class LocalApi implements AutoCloseable {

    record Seen(String method, URI uri, String body, Map<String, List<String>> headers, long nanoTime) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null ? null : v.get(0);
        }

        String query() {
            return uri.getRawQuery();
        }
    }

    /** Answer for one request; {@code n} counts requests to this path from 1. */
    interface Handler {
        Reply handle(int n, Seen request) throws Exception;
    }

    record Reply(int status, String body, Map<String, String> headers, long delayMillis) {
        static Reply json(String body) {
            return new Reply(200, body, Map.of(), 0);
        }

        static Reply status(int status, String body) {
            return new Reply(status, body, Map.of(), 0);
        }

        Reply withHeader(String name, String value) {
            var h = new java.util.LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, body, h, delayMillis);
        }

        Reply delayed(long millis) {
            return new Reply(status, body, headers, millis);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    final List<Seen> requests = new CopyOnWriteArrayList<>();

    LocalApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor); // several threads: a stalled (timed-out) request must not block the retry
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    LocalApi on(String path, Handler handler) {
        var counter = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext(path, exchange -> serve(exchange, handler, counter.incrementAndGet()));
        return this;
    }

    private void serve(HttpExchange exchange, Handler handler, int n) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Seen seen = new Seen(exchange.getRequestMethod(), exchange.getRequestURI(), body,
                    Map.copyOf(exchange.getRequestHeaders()), System.nanoTime());
            requests.add(seen);
            Reply reply;
            try {
                reply = handler.handle(n, seen);
            } catch (Exception e) {
                reply = Reply.status(599, "handler failed: " + e);
            }
            if (reply.delayMillis() > 0) {
                try {
                    Thread.sleep(reply.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            reply.headers().forEach(exchange.getResponseHeaders()::add);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (IOException e) {
            // the client gave up (timeout test); nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
