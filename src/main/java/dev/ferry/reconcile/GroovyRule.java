package dev.ferry.reconcile;

import dev.ferry.mapping.GroovySandbox;
import groovy.lang.Binding;
import groovy.lang.Script;
import org.codehaus.groovy.runtime.InvokerHelper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A comparison rule kept in a file beside the mappings and loaded at run time (S4.2). The script sees
 * {@code key}, {@code source} and {@code target} (maps by each side's column names) and returns an error
 * message, or null / nothing when the pair is fine. Compiled under the mapping expressions' sandbox.
 */
public final class GroovyRule {

    private final String name;
    private final Class<? extends Script> script;

    private GroovyRule(String name, Class<? extends Script> script) {
        this.name = name;
        this.script = script;
    }

    public static GroovyRule load(Path file, boolean trusted) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ReconcileException(file + ": cannot read rule: " + e.getMessage(), e);
        }
        String name = file.getFileName().toString().replaceFirst("\\.groovy$", "");
        return new GroovyRule(name, GroovySandbox.compile(text, "ferry_rule_" + name.replaceAll("[^A-Za-z0-9_]", "_"),
                file.toString(), trusted));
    }

    public String name() {
        return name;
    }

    /** The rule's message for this pair, or null when it passes. A rule that throws fails the check loudly. */
    public String check(String key, Map<String, Object> source, Map<String, Object> target) {
        Binding b = new Binding();
        b.setVariable("key", key);
        b.setVariable("source", source);
        b.setVariable("target", target);
        try {
            Object result = InvokerHelper.createScript(script, b).run();
            return result == null ? null : result.toString();
        } catch (RuntimeException e) {
            return "rule " + name + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
