package dev.ferry.source.http;

import java.nio.charset.StandardCharsets;

/**
 * The parts of an HTTP response the pull needs. The body stays in the bytes it arrived in: a page of records is parsed
 * from them (Jackson's UTF-8 parser), and text is made only for messages — a page of a few MB turned into a String
 * cost several copies of it per page, each large enough to be a G1 humongous allocation in a small heap (issue 13).
 */
public record HttpAnswer(int status, String reason, byte[] bytes, String retryAfter, String link) {

    /** An answer whose body is given as text (UTF-8). */
    public HttpAnswer(int status, String reason, String body, String retryAfter, String link) {
        this(status, reason, body == null ? null : body.getBytes(StandardCharsets.UTF_8), retryAfter, link);
    }

    /** The body as text (UTF-8), or null: for messages, not for parsing pages. */
    public String body() {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Whether the body is absent or only whitespace. */
    boolean isBlank() {
        if (bytes == null) {
            return true;
        }
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** "401 Unauthorized: {"error":"bad key"}" — a short, single-line excerpt for error messages. */
    String describe() {
        String text = bytes == null ? "" : new String(bytes, 0, Math.min(bytes.length, 1024), StandardCharsets.UTF_8);
        String excerpt = text.replaceAll("\\s+", " ").trim();
        if (excerpt.length() > 200) {
            excerpt = excerpt.substring(0, 200) + "…";
        }
        String line = status + (reason == null || reason.isBlank() ? "" : " " + reason);
        return excerpt.isEmpty() ? line : line + ": " + excerpt;
    }
}
