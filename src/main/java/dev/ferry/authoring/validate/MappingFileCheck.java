package dev.ferry.authoring.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.ferry.authoring.schema.BlockSchemas;
import dev.ferry.mapping.GroovySandbox;
import dev.ferry.mapping.MappingException;
import dev.ferry.mapping.MappingLoader;
import org.snakeyaml.engine.v2.nodes.Node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mapping file: against {@code schema/mapping.schema.json} (fields, types, allowed values — the schema editors use),
 * then what a schema cannot say: field lists naming fields, a key template naming fields or source paths that fields
 * read, JSONPath that parses, Groovy that compiles in the mapping sandbox, and finally everything else
 * {@link MappingLoader} refuses at start. With a database, {@link TargetTableCheck} compares the target table.
 */
final class MappingFileCheck {

    private static final Pattern FIELD_EQUALS = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.\\[\\]]*)\\s*=\\s*([^=].*?)\\s*");
    private static final Pattern GROOVY_ERROR = Pattern.compile("ferry_\\w+: \\d+: (.*?) @ line (\\d+), column (\\d+)\\.");
    private static final Pattern FIELD_MESSAGE = Pattern.compile("field '([^']+)'");
    private static final Pattern SETTING_MESSAGE = Pattern.compile(": ((?:source|target|reconcile|delete)\\.?[A-Za-z]*|key|version|timezone|integration)\\b");

    private final JsonSchema schema;
    private final SchemaMessages messages;
    private final boolean trustedGroovy;

    MappingFileCheck(boolean trustedGroovy) {
        JsonNode json = BlockSchemas.mappingSchema();
        this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(json);
        this.messages = new SchemaMessages(json);
        this.trustedGroovy = trustedGroovy;
    }

    /** @return true when the file is sound enough for the database check */
    boolean check(YamlDocument doc, List<Problem> out) {
        int before = out.size();
        out.addAll(doc.duplicates);
        if (doc.json == null || !doc.json.isObject()) {
            out.add(doc.problemAt(doc.root, "a mapping file is a YAML mapping with integration, fields and target"));
            return false;
        }
        List<ValidationMessage> found = new ArrayList<>(schema.validate(doc.json));
        found.sort(Comparator.comparing(m -> m.getInstanceLocation().toString()));
        for (ValidationMessage m : found) {
            out.add(messages.toProblem(doc, m));
        }
        JsonNode root = doc.json;
        List<String> fields = new ArrayList<>();
        root.path("fields").fieldNames().forEachRemaining(fields::add);
        String alias = flattenAlias(root.path("source").path("flatten"));

        fieldList(doc, "/target/matchOn", fields, out);
        fieldList(doc, "/target/update", fields, out);
        fieldList(doc, "/target/partitionBy", fields, out);
        fieldList(doc, "/reconcile/compare", fields, out);
        fieldList(doc, "/reconcile/sum", fields, out);
        if (root.path("version").isTextual() && !fields.contains(root.get("version").asText())) {
            String v = root.get("version").asText();
            out.add(doc.problemAt(doc.value("/version"), "version: '" + v + "' is not a field" + hintOrList(v, fields)));
        }
        jsonPath(doc, out);
        keyTemplate(doc, fields, alias, out);
        groovy(doc, out);
        if (out.size() > before) {
            return false;
        }
        try {
            MappingLoader.load(doc.file, trustedGroovy);
        } catch (MappingException e) {
            out.add(locate(doc, e.getMessage()));
            return false;
        }
        return true;
    }

    private static String flattenAlias(JsonNode flatten) {
        if (!flatten.isTextual() && !flatten.isObject()) {
            return null;
        }
        String path = flatten.isTextual() ? flatten.asText() : flatten.path("path").asText(null);
        return path == null ? null : path.substring(path.lastIndexOf('.') + 1);
    }

    private static void fieldList(YamlDocument doc, String pointer, List<String> fields, List<Problem> out) {
        JsonNode n = doc.json.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            return;
        }
        String where = SchemaMessages.where(pointer);
        if (n.isTextual()) {
            if (!fields.contains(n.asText())) {
                out.add(doc.problemAt(doc.value(pointer), where + ": '" + n.asText() + "' is not a field" + hintOrList(n.asText(), fields)));
            }
            return;
        }
        for (int i = 0; i < n.size(); i++) {
            String name = n.get(i).asText();
            if (!fields.contains(name)) {
                out.add(doc.problemAt(doc.value(pointer + "/" + i), where + ": '" + name + "' is not a field" + hintOrList(name, fields)));
            }
        }
    }

    private static String hintOrList(String name, List<String> fields) {
        String hint = Suggestions.didYouMean(name, fields);
        return hint.isEmpty() ? " (fields: " + String.join(", ", fields) + ")" : hint;
    }

    private static void jsonPath(YamlDocument doc, List<Problem> out) {
        JsonNode records = doc.json.path("source").path("records");
        if (records.isTextual()) {
            try {
                JsonPath.compile(records.asText());
            } catch (InvalidPathException | IllegalArgumentException e) {
                out.add(doc.problemAt(doc.value("/source/records"), "source.records: '" + records.asText()
                        + "' is not a valid JSONPath: " + e.getMessage() + " (e.g. $.data.items[*])"));
            }
        }
    }

    /**
     * A key placeholder must name a field or a source path some field reads: a name that is neither is most often a
     * typo, and it would build every key from a path the records do not have (each record then a dead letter).
     */
    private static void keyTemplate(YamlDocument doc, List<String> fields, String alias, List<Problem> out) {
        JsonNode key = doc.json.get("key");
        if (key == null || !key.isTextual()) {
            return;
        }
        String text = key.asText();
        Set<String> paths = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.json.path("fields").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode from = f.getValue() == null ? null : f.getValue().get("from");
            paths.add(from != null && from.isTextual() ? from.asText() : f.getKey());
        }
        Node node = doc.value("/key");
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf('{', i);
            if (open < 0) {
                break;
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                out.add(doc.problemInScalar(node, open, "key: '{' at " + (open + 1) + " is never closed"));
                return;
            }
            String name = text.substring(open + 1, close).trim();
            if (name.isEmpty()) {
                out.add(doc.problemInScalar(node, open, "key: empty placeholder {} (name a field)"));
            } else if (!fields.contains(name) && !paths.contains(name)) {
                List<String> known = new ArrayList<>(fields);
                paths.stream().filter(p -> !known.contains(p)).forEach(known::add);
                String hint = Suggestions.didYouMean(name, known);
                out.add(doc.problemInScalar(node, open + 1, "key: {" + name + "} names no field and no source path a field reads"
                        + (hint.isEmpty() ? " (fields: " + String.join(", ", fields) + ")" : hint)));
            }
            i = close + 1;
        }
        if (!text.contains("{")) {
            out.add(doc.problemAt(node, "key: '" + text + "' has no {placeholder}: every record would get the same key"));
        }
    }

    private void groovy(YamlDocument doc, List<Problem> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.json.path("fields").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode expr = f.getValue() == null ? null : f.getValue().get("expr");
            if (expr != null && expr.isTextual()) {
                String pointer = "/fields/" + YamlDocument.escape(f.getKey()) + "/expr";
                compile(doc, expr.asText(), "ferry_" + f.getKey(), "fields." + f.getKey() + ".expr", pointer, out);
            }
        }
        JsonNode when = doc.json.path("delete").path("when");
        if (when.isTextual() && !FIELD_EQUALS.matcher(when.asText()).matches()) {
            compile(doc, when.asText(), "ferry_delete_when", "delete.when", "/delete/when", out);
        }
    }

    private void compile(YamlDocument doc, String expr, String className, String where, String pointer, List<Problem> out) {
        try {
            GroovySandbox.compile(expr, className, where, trustedGroovy);
        } catch (MappingException e) {
            // Groovy's text is "<script>: 1: Unexpected input: '+' @ line 1, column 3.\n  x +* 2\n  ^\n1 error": keep the reason,
            // point at the column inside a one-line expression
            Matcher m = GROOVY_ERROR.matcher(e.getMessage());
            if (m.find()) {
                int line = Integer.parseInt(m.group(2));
                int column = Integer.parseInt(m.group(3));
                String message = where + ": Groovy does not compile: " + m.group(1).strip()
                        + (line == 1 ? "" : " (line " + line + ", column " + column + " of the expression)");
                out.add(line == 1 && !expr.contains("\n") ? doc.problemInScalar(doc.value(pointer), column - 1, message)
                        : doc.problemAt(doc.value(pointer), message));
            } else {
                out.add(doc.problemAt(doc.value(pointer), e.getMessage()));
            }
        }
    }

    /** Places a message of {@link MappingLoader} at the field or setting it names (its messages start with the file). */
    static Problem locate(YamlDocument doc, String message) {
        String text = message.startsWith(doc.file.toString() + ": ") ? message.substring(doc.file.toString().length() + 2) : message;
        Matcher field = FIELD_MESSAGE.matcher(text);
        if (text.startsWith("field '") && field.find()) {
            return doc.problemAt(doc.keyOrValue("/fields/" + YamlDocument.escape(field.group(1))), text);
        }
        Matcher setting = SETTING_MESSAGE.matcher(": " + text);
        if (setting.find()) {
            String pointer = "/" + setting.group(1).replace('.', '/');
            return doc.problemAt(doc.keyOrValue(pointer), text);
        }
        return doc.problemAt(doc.root, text);
    }
}
