package dev.ferry.authoring.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One YAML file, parsed twice from the same text: the node tree of snakeyaml-engine (the parser Camel's YAML DSL uses)
 * for line and column of every key and value, and a Jackson tree for the values (as Ferry's loaders read them).
 * Positions are looked up by JSON pointer ({@code /fields/shop_id/type}).
 */
final class YamlDocument {

    private static final YAMLMapper JACKSON = new YAMLMapper();

    final Path file;
    final String text;
    final Node root;          // null when the file is empty
    final JsonNode json;
    private final Map<String, Node> values = new HashMap<>();
    private final Map<String, Node> keys = new HashMap<>();
    final List<Problem> duplicates = new ArrayList<>();

    private YamlDocument(Path file, String text, Node root, JsonNode json) {
        this.file = file;
        this.text = text;
        this.root = root;
        this.json = json;
        if (root != null) {
            index("", root);
        }
    }

    /** @return the document, or a syntax problem at the parser's mark */
    static Object parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new Problem(file, 1, 1, "cannot read the file: " + e.getMessage());
        }
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeString(text).orElse(null);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            String what = (e.getContext() == null ? "" : e.getContext() + ", ") + e.getProblem();
            return new Problem(file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1,
                    "YAML syntax error: " + what.strip() + " (check indentation, quotes and ':' after each key)");
        } catch (YamlEngineException e) {
            return new Problem(file, 1, 1, "YAML syntax error: " + e.getMessage());
        }
        JsonNode json;
        try {
            json = root == null ? null : JACKSON.readTree(text);
        } catch (IOException e) {
            return new Problem(file, 1, 1, "YAML cannot be read: " + e.getMessage());
        }
        return new YamlDocument(file, text, root, json);
    }

    private void index(String pointer, Node node) {
        values.put(pointer, node);
        if (node instanceof MappingNode m) {
            Map<String, Node> seen = new HashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    continue;
                }
                Node first = seen.putIfAbsent(k.getValue(), k);
                if (first != null) {
                    duplicates.add(problemAt(k, "duplicate key '" + k.getValue() + "' (first at line " + line(first)
                            + "; the later one would silently win)"));
                }
                String child = pointer + "/" + escape(k.getValue());
                keys.put(child, k);
                index(child, t.getValueNode());
            }
        } else if (node instanceof SequenceNode s) {
            for (int i = 0; i < s.getValue().size(); i++) {
                index(pointer + "/" + i, s.getValue().get(i));
            }
        }
    }

    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /** The value at a pointer, or null. */
    Node value(String pointer) {
        return values.get(pointer);
    }

    /** The key node of an object member, else its value, else the nearest parent's node. */
    Node keyOrValue(String pointer) {
        String p = pointer;
        while (true) {
            Node n = keys.containsKey(p) ? keys.get(p) : values.get(p);
            if (n != null || p.isEmpty()) {
                return n != null ? n : root;
            }
            p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
        }
    }

    /** The value node at a pointer (or the nearest parent's). */
    Node valueOrParent(String pointer) {
        String p = pointer;
        while (!values.containsKey(p) && !p.isEmpty()) {
            p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
        }
        return values.getOrDefault(p, root);
    }

    Problem problemAt(Node node, String message) {
        Optional<Mark> m = node == null ? Optional.empty() : node.getStartMark();
        return new Problem(file, m.map(x -> x.getLine() + 1).orElse(1), m.map(x -> x.getColumn() + 1).orElse(1), message);
    }

    /** A problem inside a scalar's text, {@code offset} characters after its start (plain and quoted scalars on one line). */
    Problem problemInScalar(Node node, int offset, String message) {
        Optional<Mark> m = node == null ? Optional.empty() : node.getStartMark();
        if (m.isEmpty()) {
            return problemAt(node, message);
        }
        int quote = node instanceof ScalarNode s && (s.getScalarStyle() == ScalarStyle.DOUBLE_QUOTED
                || s.getScalarStyle() == ScalarStyle.SINGLE_QUOTED) ? 1 : 0;
        return new Problem(file, m.get().getLine() + 1, m.get().getColumn() + 1 + quote + Math.max(0, offset), message);
    }

    static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }
}
