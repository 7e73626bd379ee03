package dev.ferry.authoring.validate;

import java.nio.file.Path;

/**
 * One mistake in a route, mapping or reconciliation file, printed the way compilers and linters do so that editors
 * and CI logs link it: {@code file:line:column: what is wrong (hint)}. Lines and columns count from 1.
 */
public record Problem(Path file, int line, int column, String message) {

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
