package dev.ferry.source.http;

/** The parts of an HTTP response the pull needs. */
public record HttpAnswer(int status, String reason, String body, String retryAfter, String link) {

    boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** "401 Unauthorized: {"error":"bad key"}" — a short, single-line excerpt for error messages. */
    String describe() {
        String excerpt = body == null ? "" : body.replaceAll("\\s+", " ").trim();
        if (excerpt.length() > 200) {
            excerpt = excerpt.substring(0, 200) + "…";
        }
        String line = status + (reason == null || reason.isBlank() ? "" : " " + reason);
        return excerpt.isEmpty() ? line : line + ": " + excerpt;
    }
}
