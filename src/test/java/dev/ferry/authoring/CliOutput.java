package dev.ferry.authoring;

import dev.ferry.cli.FerryCli;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a Ferry command in this JVM and returns its exit code and what it printed. */
public record CliOutput(int exit, String out) {

    public static CliOutput run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new FerryCli()).execute(args);
        } finally {
            System.setOut(old);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        old.print(out);
        return new CliOutput(exit, out);
    }
}
