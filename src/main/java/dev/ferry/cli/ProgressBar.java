package dev.ferry.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long commands (backfill, replay), drawn only when Ferry runs on a
 * terminal (scripts and logs get the commands' normal output only). Own code: picocli has no progress bar,
 * and ten lines do not justify a terminal library.
 */
final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private int lastLength;

    private ProgressBar(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    /** A bar on stderr when stdin/stdout are a terminal; otherwise one that draws nothing. */
    static ProgressBar onTerminal(String label) {
        return new ProgressBar(System.console() != null ? System.err : null, label);
    }

    static ProgressBar to(PrintStream out, String label) {
        return new ProgressBar(out, label);
    }

    /** Draws the bar at {@code fraction} (0..1; negative: unknown) with a detail after it. */
    synchronized void show(double fraction, String detail) {
        if (out == null) {
            return;
        }
        String line = render(label, fraction, detail);
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        out.flush();
        lastLength = line.length();
    }

    static String render(String label, double fraction, String detail) {
        if (fraction < 0) {
            return label + " [" + "?".repeat(WIDTH) + "] " + detail;
        }
        double f = Math.min(1, fraction);
        int filled = (int) Math.round(f * WIDTH);
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                Math.round(f * 100), detail);
    }

    @Override
    public synchronized void close() {
        if (out != null && lastLength > 0) {
            out.println();
            lastLength = 0;
        }
    }
}
