package dev.ferry.authoring.validate;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route file (Camel YAML DSL): its structure as Camel's own YAML DSL loader reads it (the loader the running Ferry
 * uses, so what passes here loads there), an id on every route, and every endpoint checked by {@link EndpointCheck}.
 */
final class RouteFileCheck {

    private static final Set<String> ENDPOINT_KEYS = Set.of("from", "to", "toD", "wireTap");
    private static final Pattern UNSUPPORTED_FIELD = Pattern.compile("Unsupported field: (\\S+)");
    private static final Pattern UNKNOWN_NODE = Pattern.compile("Unknown node id: (\\S+)");

    private final CamelCatalogs camel;
    private final EndpointCheck endpoints;

    RouteFileCheck(CamelCatalogs camel, EndpointCheck endpoints) {
        this.camel = camel;
        this.endpoints = endpoints;
    }

    void check(YamlDocument doc, List<Problem> out) {
        if (!(doc.root instanceof SequenceNode routes)) {
            out.add(doc.problemAt(doc.root, "a route file is a YAML list of '- route:' entries"));
            return;
        }
        int before = out.size();
        for (Node item : routes.getValue()) {
            if (item instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("route") && t.getValueNode() instanceof MappingNode route
                            && route.getValue().stream().noneMatch(r -> r.getKeyNode() instanceof ScalarNode rk && rk.getValue().equals("id"))) {
                        out.add(doc.problemAt(k, "route has no id (add 'id: <name>': Ferry's logs, JMX and status page name routes by id)"));
                    }
                }
            }
        }
        camelStructure(doc, out);
        if (out.size() == before || out.stream().skip(before).allMatch(p -> p.message().startsWith("route has no id"))) {
            walk(doc, doc.root, out);
        }
    }

    /** Loads the file with Camel's YAML DSL into a context that is never started: structure errors come with marks. */
    private void camelStructure(YamlDocument doc, List<Problem> out) {
        try (CamelContext context = new DefaultCamelContext()) {
            Resource resource = ResourceHelper.fromString(doc.file.getFileName().toString(), doc.text);
            context.getCamelContextExtension().getContextPlugin(RoutesLoader.class).loadRoutes(resource);
        } catch (Exception e) {
            MarkedYamlEngineException marked = marked(e);
            if (marked == null) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                out.add(doc.problemAt(doc.root, "Camel cannot load the routes: " + root.getMessage()));
                return;
            }
            Mark m = marked.getProblemMark().orElse(null);
            String problem = marked.getProblem() == null ? marked.getMessage() : marked.getProblem().strip();
            Node at = m == null ? doc.root : nodeAt(doc.root, m.getLine(), m.getColumn());
            Matcher field = UNSUPPORTED_FIELD.matcher(problem);
            Matcher node = UNKNOWN_NODE.matcher(problem);
            if (field.find()) {
                String name = field.group(1);
                Node key = keyIn(at, name);
                out.add(doc.problemAt(key != null ? key : at, "unknown field '" + name + "'" + hint(name)));
            } else if (node.find()) {
                String name = node.group(1);
                Node key = keyIn(at, name);
                out.add(doc.problemAt(key != null ? key : at, "unknown step '" + name + "'"
                        + Suggestions.didYouMean(name, camel.processorNames)));
            } else {
                out.add(m == null ? doc.problemAt(doc.root, problem)
                        : new Problem(doc.file, m.getLine() + 1, m.getColumn() + 1, problem));
            }
        }
    }

    private String hint(String name) {
        // a field misplaced in a route's mapping is most often a misspelt route field
        String h = Suggestions.didYouMean(name, camel.routeFields);
        return h.isEmpty() ? Suggestions.didYouMean(name, camel.topLevelNames) : h;
    }

    private static MarkedYamlEngineException marked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException m) {
                return m;
            }
        }
        return null;
    }

    /** The node at the mark, a mapping preferred (Camel marks the mapping that holds the bad field). */
    private static Node nodeAt(Node root, int line, int column) {
        java.util.List<Node> at = new java.util.ArrayList<>();
        collect(root, line, column, at);
        return at.stream().filter(n -> n instanceof MappingNode).findFirst().orElse(at.isEmpty() ? root : at.get(0));
    }

    private static void collect(Node node, int line, int column, List<Node> at) {
        if (node.getStartMark().filter(m -> m.getLine() == line && m.getColumn() == column).isPresent()) {
            at.add(node);
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                collect(t.getKeyNode(), line, column, at);
                collect(t.getValueNode(), line, column, at);
            }
        } else if (node instanceof SequenceNode s) {
            s.getValue().forEach(c -> collect(c, line, column, at));
        }
    }

    private static Node keyIn(Node node, String name) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(name)) {
                    return k;
                }
            }
        }
        return null;
    }

    private void walk(YamlDocument doc, Node node, List<Problem> out) {
        if (node instanceof SequenceNode s) {
            s.getValue().forEach(c -> walk(doc, c, out));
        } else if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                Node value = t.getValueNode();
                if (t.getKeyNode() instanceof ScalarNode k && ENDPOINT_KEYS.contains(k.getValue())) {
                    if (value instanceof ScalarNode uri) {
                        endpoints.check(doc, k.getValue(), uri, k, null, null, out);
                    } else if (value instanceof MappingNode endpoint) {
                        ScalarNode uri = null;
                        Node paramsKey = null;
                        Node params = null;
                        for (NodeTuple e : endpoint.getValue()) {
                            String name = e.getKeyNode() instanceof ScalarNode ek ? ek.getValue() : "";
                            if (name.equals("uri") && e.getValueNode() instanceof ScalarNode u) {
                                uri = u;
                            } else if (name.equals("parameters")) {
                                paramsKey = e.getKeyNode();
                                params = e.getValueNode();
                            }
                        }
                        if (uri != null) {
                            endpoints.check(doc, k.getValue(), uri, k, paramsKey, params, out);
                        }
                    }
                }
                walk(doc, value, out);
            }
        }
    }
}
