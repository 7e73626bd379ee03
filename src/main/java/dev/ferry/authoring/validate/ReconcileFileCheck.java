package dev.ferry.authoring.validate;

import dev.ferry.mapping.MappingException;
import dev.ferry.reconcile.ReconcileException;
import dev.ferry.reconcile.ReconcileLoader;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reconciliation file ({@code *.reconcile.yaml}): read by {@link ReconcileLoader}, the loader {@code ferry reconcile}
 * uses, so its required settings and values are checked exactly as at run time; its message is placed at the
 * setting it names. No database is touched: the sides only connect when a reconciliation runs.
 */
final class ReconcileFileCheck {

    private static final Pattern UNKNOWN = Pattern.compile("unknown setting '([^']+)'");
    private static final Pattern SETTING = Pattern.compile("^([A-Za-z]+(?:\\.[A-Za-z_0-9]+)*)");

    private final boolean trustedGroovy;

    ReconcileFileCheck(boolean trustedGroovy) {
        this.trustedGroovy = trustedGroovy;
    }

    void check(YamlDocument doc, List<Problem> out) {
        out.addAll(doc.duplicates);
        try {
            ReconcileLoader.load(doc.file, null, trustedGroovy);
        } catch (MappingException | ReconcileException | IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("}} is not set (system property")) {
                return; // a {{placeholder}} is a run-time value (the environment of the deployment), as in route files
            }
            String text = e.getMessage().startsWith(doc.file + ": ") ? e.getMessage().substring(doc.file.toString().length() + 2) : e.getMessage();
            Matcher unknown = UNKNOWN.matcher(text);
            Matcher setting = SETTING.matcher(text);
            String pointer = unknown.find() ? "/" + unknown.group(1) : setting.find() ? "/" + setting.group(1).replace('.', '/') : "";
            out.add(doc.problemAt(doc.keyOrValue(pointer), text));
        }
    }
}
