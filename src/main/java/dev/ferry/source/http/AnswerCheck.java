package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a good answer is, per integration. Many APIs answer errors with HTTP 200 and an error code in the body
 * (Jushuitan {@code {"code":10,"msg":"…"}}, Kingdee {@code [[{"Result":{"ResponseStatus":{"IsSuccess":false,…}}}]]});
 * read as data, such an answer looks like an empty last page and the position moves past everything unread.
 *
 * <ul>
 *   <li>{@code successPath} + {@code successValues}: the value there must be one of the values. When
 *       {@code successPathRequired} is false, an answer without the path is good (Kingdee: data answers have no
 *       ResponseStatus, error answers do).</li>
 *   <li>{@code successExpression}: a JSONPath that must match something in a good answer, e.g. {@code $[?(@.code == 0)]}.</li>
 *   <li>{@code errorMessagePath}: where the API's error text is, for the failure message.</li>
 *   <li>{@code retryOn}: values at {@code successPath} that mean "slow down" (rate-limit codes in the body): retried.</li>
 * </ul>
 */
final class AnswerCheck {

    /** The answer is good, or why not and whether to retry. */
    record Verdict(boolean ok, String code, String message, boolean retry) {
        static final Verdict OK = new Verdict(true, null, null, false);
    }

    private final String successPath;
    private final Set<String> successValues;
    private final boolean successPathRequired;
    private final String successExpression;
    private final String errorMessagePath;
    private final Set<String> retryOn;

    AnswerCheck(String successPath, String successValues, boolean successPathRequired, String successExpression,
                String errorMessagePath, String retryOn) {
        this.successPath = blankToNull(successPath);
        this.successValues = split(successValues == null ? "true" : successValues);
        this.successPathRequired = successPathRequired;
        this.successExpression = blankToNull(successExpression);
        this.errorMessagePath = blankToNull(errorMessagePath);
        this.retryOn = split(retryOn);
        for (String path : new String[]{this.successPath, this.successExpression, this.errorMessagePath}) {
            if (path != null) {
                JsonPaths.compile(path); // a bad path fails at route start
            }
        }
    }

    boolean isConfigured() {
        return successPath != null || successExpression != null;
    }

    Verdict check(JsonNode answer) {
        String code = null;
        boolean ok = true;
        if (successPath != null) {
            JsonNode value = JsonPaths.read(answer, successPath);
            if (value == null || value.isContainerNode()) {
                ok = !successPathRequired && value == null;
            } else {
                code = value.asText();
                ok = successValues.contains(code);
            }
        }
        if (ok && successExpression != null) {
            ok = JsonPaths.matches(answer, successExpression);
        }
        if (ok) {
            return Verdict.OK;
        }
        String message = errorMessagePath == null ? null : JsonPaths.readJoined(answer, errorMessagePath);
        if (message == null) {
            String excerpt = answer.toString();
            message = excerpt.length() > 200 ? excerpt.substring(0, 200) + "…" : excerpt;
        }
        String what = successPath == null ? "the answer does not match successExpression " + successExpression
                : code == null ? successPath + " is missing" : successPath + " = " + code;
        return new Verdict(false, code, what + ": " + message, code != null && retryOn.contains(code));
    }

    private static Set<String> split(String list) {
        return list == null || list.isBlank() ? Set.of()
                : Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
