package dev.ferry.authoring.validate;

import dev.ferry.authoring.schema.BlockParameter;
import dev.ferry.authoring.schema.BlockSchema;
import dev.ferry.authoring.schema.BlockSchemas;
import org.apache.camel.tooling.model.ComponentModel;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks one endpoint of a route — its uri and its {@code parameters:} — against the building block's declared schema
 * ({@code schema/blocks/<scheme>.json}) or, for any other Camel component, against Camel's catalog: a known block or
 * component, the path, required parameters, unknown ones (with the nearest known name) and types.
 * {@code {{property}}} placeholders are resolved only at start, so their values are not type-checked.
 */
final class EndpointCheck {

    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    /** A parameter as written: its name, value text, and the nodes to point at. */
    record Param(String name, String value, Node keyNode, Node valueNode, int offsetInUri) {
    }

    private final BlockSchemas blocks;
    private final CamelCatalogs camel;
    /** Endpoints naming an integration, checked against the mapping files once every file has been read. */
    final List<IntegrationUse> integrationUses = new ArrayList<>();

    /** A block's uri naming an integration ({@code ferry-http:jst-refunds}). */
    record IntegrationUse(YamlDocument doc, ScalarNode uri, String scheme, String integration) {
    }

    static final String INTEGRATION = "integration";
    private static final Set<String> CAMEL_ENDPOINT_OPTIONS = Set.of("bridgeErrorHandler", "exceptionHandler", "exchangePattern",
            "lazyStartProducer");

    EndpointCheck(BlockSchemas blocks, CamelCatalogs camel) {
        this.blocks = blocks;
        this.camel = camel;
    }

    /**
     * @param usage    the key the endpoint hangs under: from, to, toD, wireTap
     * @param uriNode  the scalar holding the uri
     * @param paramsKey the {@code parameters} key node, or null
     * @param params   the {@code parameters} mapping, or null
     */
    void check(YamlDocument doc, String usage, ScalarNode uriNode, Node usageKey, Node paramsKey, Node params, List<Problem> out) {
        String uri = unwrapRaw(uriNode.getValue().strip());
        int colon = uri.indexOf(':');
        if (uri.contains("{{") && (colon < 0 || uri.substring(0, colon).contains("{{")) || uri.contains("${")) {
            return; // the scheme itself comes from a property or the message: known only at run time
        }
        String scheme = colon < 0 ? uri : uri.substring(0, colon);
        String rest = colon < 0 ? "" : uri.substring(colon + 1);
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        List<Param> written = new ArrayList<>();
        if (q >= 0) {
            int base = colon + 1 + q + 1;
            int at = 0;
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                written.add(new Param(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1), uriNode, uriNode, base + at));
                at += pair.length() + 1;
            }
        }
        if (params instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    Node v = t.getValueNode();
                    written.add(new Param(k.getValue(), v instanceof ScalarNode s ? s.getValue() : null, k, v, -1));
                }
            }
        } else if (params != null && !(params instanceof ScalarNode s && s.getValue().isEmpty())) {
            out.add(doc.problemAt(params, scheme + ": parameters must be a mapping of name: value"));
            return;
        }
        Node anchor = paramsKey != null ? paramsKey : uriNode;

        BlockSchema block = blocks.block(scheme).orElse(null);
        ComponentModel component = camel.component(scheme);
        if (block == null && component == null) {
            Set<String> known = new TreeSet<>(camel.componentNames());
            blocks.all().forEach(b -> known.add(b.scheme()));
            String hint = Suggestions.didYouMean(scheme, known);
            out.add(doc.problemInScalar(uriNode, 0, "unknown building block '" + scheme + ":'"
                    + (hint.isEmpty() ? " (Ferry's blocks: " + String.join(", ", blocks.all().stream().map(BlockSchema::scheme).toList())
                    + "; or a Camel component on the classpath)" : hint)));
            return;
        }
        if (block != null) {
            checkBlock(doc, block, component, usage, usageKey, uriNode, path, written, anchor, out);
        } else {
            checkComponent(doc, scheme, component, written, out);
        }
    }

    private void checkBlock(YamlDocument doc, BlockSchema block, ComponentModel component, String usage, Node usageKey,
                            ScalarNode uriNode, String path, List<Param> written, Node anchor, List<Problem> out) {
        String s = block.scheme();
        if ("from".equals(usage) && "producer".equals(block.kind())) {
            out.add(doc.problemAt(usageKey, s + " cannot start a route (from:): it is used with to: after a trigger such as quartz: or direct:"));
        } else if (!"from".equals(usage) && "consumer".equals(block.kind())) {
            out.add(doc.problemAt(usageKey, s + " starts a route: use it under from:, not " + usage + ":"));
        }
        if (path.isBlank()) {
            out.add(doc.problemInScalar(uriNode, 0, s + ": the uri needs the " + block.pathName() + " (" + block.syntax()
                    + ": " + block.pathDescription() + ")"));
        } else if (INTEGRATION.equals(block.pathName()) && !path.contains("{{")) {
            integrationUses.add(new IntegrationUse(doc, uriNode, s, path));
        }
        Map<String, Param> byName = new LinkedHashMap<>();
        for (Param p : written) {
            byName.putIfAbsent(p.name(), p);
            BlockParameter declared = block.parameter(p.name()).orElse(null);
            if (declared == null && CAMEL_ENDPOINT_OPTIONS.contains(p.name())) {
                continue; // DefaultEndpoint's own options: Camel binds them on every endpoint
            }
            if (declared == null) {
                if (block.camelComponent() && component != null) {
                    checkComponent(doc, s, component, List.of(p), out);
                } else {
                    String hint = Suggestions.didYouMean(p.name(), block.parameterNames());
                    out.add(at(doc, p, s + ": unknown parameter '" + p.name() + "'"
                            + (hint.isEmpty() ? " (see docs/reference/building-blocks.md#" + s + ")" : hint)));
                }
                continue;
            }
            checkValue(doc, s, p, declared.type(), declared.allowed(), declared.bean(), out);
        }
        for (BlockParameter declared : block.parameters()) {
            if (declared.required() && !byName.containsKey(declared.name())) {
                out.add(doc.problemAt(anchor, s + ": missing required parameter '" + declared.name() + "' ("
                        + firstSentence(declared.description()) + ")"));
            }
        }
    }

    private void checkComponent(YamlDocument doc, String scheme, ComponentModel component, List<Param> written, List<Problem> out) {
        List<ComponentModel.EndpointOptionModel> options = component.getEndpointParameterOptions();
        for (Param p : written) {
            ComponentModel.EndpointOptionModel o = options.stream().filter(x -> x.getName().equals(p.name())).findFirst().orElse(null);
            if (o == null) {
                boolean prefixed = options.stream().anyMatch(x -> x.isMultiValue() && x.getPrefix() != null && !x.getPrefix().isEmpty()
                        && p.name().startsWith(x.getPrefix()));
                if (!prefixed && !component.isLenientProperties()) {
                    String hint = Suggestions.didYouMean(p.name(), options.stream().map(ComponentModel.EndpointOptionModel::getName).toList());
                    out.add(at(doc, p, scheme + ": unknown parameter '" + p.name() + "'"
                            + (hint.isEmpty() ? " (not an option of Camel's " + scheme + " component)" : hint)));
                }
                continue;
            }
            List<String> enums = o.getEnums() == null ? List.of() : o.getEnums();
            checkValue(doc, scheme, p, o.getType(), enums, null, out);
        }
    }

    private void checkValue(YamlDocument doc, String scheme, Param p, String type, List<String> allowed, String bean, List<Problem> out) {
        if ("object".equals(type)) {
            return; // a map or bean option of a Camel component: written many ways, bound by Camel
        }
        if (p.value() == null) {
            out.add(at(doc, p, scheme + ": " + p.name() + " must be a single value, not a list or mapping"));
            return;
        }
        String v = unwrapRaw(p.value().strip());
        if (v.contains("{{")) {
            return; // a property placeholder: its value is known at start only
        }
        if (bean != null) {
            if (!v.startsWith("#")) {
                out.add(at(doc, p, scheme + ": " + p.name() + " is a bean reference (" + bean + "), e.g. #myBean, not '" + v + "'"));
            }
            return;
        }
        String problem = switch (type) {
            case "integer" -> INTEGER.matcher(v).matches() ? null : "must be a whole number";
            case "number" -> NUMBER.matcher(v).matches() ? null : "must be a number";
            case "boolean" -> v.equals("true") || v.equals("false") ? null : "must be true or false";
            default -> null;
        };
        if (problem != null) {
            out.add(atValue(doc, p, scheme + ": " + p.name() + " " + problem + ", not '" + v + "'"));
            return;
        }
        if (!allowed.isEmpty() && !allowed.contains(v)) {
            String hint = Suggestions.didYouMean(v, allowed);
            out.add(atValue(doc, p, scheme + ": " + p.name() + " '" + v + "' is not one of " + String.join(", ", allowed)
                    + hint));
        }
    }

    private static Problem at(YamlDocument doc, Param p, String message) {
        return p.offsetInUri() >= 0 ? doc.problemInScalar(p.keyNode(), p.offsetInUri(), message) : doc.problemAt(p.keyNode(), message);
    }

    private static Problem atValue(YamlDocument doc, Param p, String message) {
        return p.offsetInUri() >= 0 ? doc.problemInScalar(p.keyNode(), p.offsetInUri() + p.name().length() + 1, message)
                : doc.problemAt(p.valueNode(), message);
    }

    static String unwrapRaw(String v) {
        if ((v.startsWith("RAW(") || v.startsWith("RAW{")) && (v.endsWith(")") || v.endsWith("}"))) {
            return v.substring(4, v.length() - 1);
        }
        return v;
    }

    static String firstSentence(String description) {
        int dot = description.indexOf(". ");
        String s = dot < 0 ? description : description.substring(0, dot);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
