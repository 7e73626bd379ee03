package dev.ferry.authoring.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Generates what is derived from the schemas, so that it cannot drift from them: the reference tables
 * {@code docs/reference/building-blocks.md} and {@code docs/reference/mapping-files.md}, and the editors' route-file
 * schema {@code schema/routes.schema.json} (every block's parameters under its uri). {@code ReferenceDocsTest} fails
 * when the checked-in files differ; {@code mvn -q compile exec:java@reference-docs} rewrites them.
 */
public final class ReferenceDocs {

    public static final Path BLOCKS_MD = Path.of("docs/reference/building-blocks.md");
    public static final Path MAPPING_MD = Path.of("docs/reference/mapping-files.md");
    public static final Path ROUTES_SCHEMA = Path.of("schema/routes.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String GENERATED = "<!-- Generated from schema/ by ReferenceDocs (mvn -q compile exec:java@reference-docs); do not edit. -->\n";

    private ReferenceDocs() {
    }

    /** Writes the generated files under {@code repo} (default the working directory). */
    public static void main(String[] args) throws IOException {
        Path repo = Path.of(args.length > 0 ? args[0] : ".");
        for (Map.Entry<Path, String> e : generate(BlockSchemas.load(), BlockSchemas.mappingSchema()).entrySet()) {
            Path target = repo.resolve(e.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, e.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + target);
        }
    }

    /** Every generated file's path (relative to the repository) and content. */
    public static Map<Path, String> generate(BlockSchemas blocks, JsonNode mappingSchema) throws IOException {
        Map<Path, String> out = new LinkedHashMap<>();
        out.put(BLOCKS_MD, blocksMarkdown(blocks));
        out.put(MAPPING_MD, mappingMarkdown(mappingSchema));
        out.put(ROUTES_SCHEMA, JSON.writeValueAsString(routesSchema(blocks)).replace("\r\n", "\n") + "\n");
        return out;
    }

    static String blocksMarkdown(BlockSchemas blocks) {
        StringBuilder md = new StringBuilder(GENERATED);
        md.append("\n# Building blocks\n\n")
                .append("The endpoints a route uses to move an integration's data, with every parameter they declare in\n")
                .append("`schema/blocks/<scheme>.json` — the file `ferry validate` checks routes against and editors complete from\n")
                .append("(`schema/routes.schema.json`). 🔒 marks secrets: masked in logged endpoint uris, scrubbed from messages;\n")
                .append("take them from the environment (`\"RAW({{jst.api-key}})\"`). Values may be `{{property}}` placeholders.\n\n");
        for (BlockSchema b : blocks.all()) {
            md.append("- [").append(b.scheme()).append("](#").append(b.scheme()).append(")\n");
        }
        for (BlockSchema b : blocks.all()) {
            md.append("\n## ").append(b.scheme()).append("\n\n").append(prose(b.description())).append("\n\n");
            md.append("`").append(b.syntax()).append("` — ").append(switch (b.kind()) {
                case "producer" -> "used with `to:` (after a trigger such as `quartz:` or `direct:`)";
                case "consumer" -> "starts a route (`from:`)";
                default -> "used with `from:` or `to:`";
            }).append("; `").append(b.pathName()).append("`: ").append(prose(b.pathDescription())).append("\n\n");
            if (b.camelComponent()) {
                md.append("The parameters Ferry's routes use; every other parameter of Camel's `").append(b.scheme())
                        .append("` component is accepted and checked against Camel's catalog.\n\n");
            }
            md.append("| parameter | type | required | default | allowed values | description |\n|---|---|---|---|---|---|\n");
            for (BlockParameter p : b.parameters()) {
                md.append("| `").append(p.name()).append('`').append(p.secret() ? " 🔒" : "")
                        .append(" | ").append(p.bean() != null ? "bean `#name`" : p.type())
                        .append(" | ").append(p.required() ? "yes" : "")
                        .append(" | ").append(p.defaultValue() == null ? "" : "`" + cell(String.valueOf(p.defaultValue())) + "`")
                        .append(" | ").append(String.join(", ", p.allowed().stream().map(a -> "`" + a + "`").toList()))
                        .append(" | ").append(prose(p.description())).append(" |\n");
            }
        }
        return md.toString();
    }

    static String mappingMarkdown(JsonNode schema) {
        StringBuilder md = new StringBuilder(GENERATED);
        md.append("\n# Mapping files\n\n").append(prose(schema.path("description").asText())).append("\n\n");
        section(md, schema, schema, "Top level", "");
        List<String[]> nested = List.of(
                new String[] {"source", "/properties/source"},
                new String[] {"source.flatten", "/properties/source/properties/flatten"},
                new String[] {"fields.<column>", "/definitions/field"},
                new String[] {"fields.<column>.lookup", "/definitions/field/properties/lookup"},
                new String[] {"target", "/properties/target"},
                new String[] {"reconcile", "/properties/reconcile"},
                new String[] {"delete", "/properties/delete"});
        for (String[] n : nested) {
            section(md, schema, schema.at(n[1]), "`" + n[0] + "`", n[0] + ".");
        }
        return md.toString();
    }

    private static void section(StringBuilder md, JsonNode root, JsonNode node, String title, String prefix) {
        md.append("## ").append(title).append("\n\n");
        if (!prefix.isEmpty() && node.has("description")) {
            md.append(prose(node.get("description").asText())).append("\n\n");
        }
        Set<String> required = new TreeSet<>();
        node.path("required").forEach(r -> required.add(r.asText()));
        md.append("| key | type | required | default | allowed values | description |\n|---|---|---|---|---|---|\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode p = e.getValue();
            JsonNode target = p.has("$ref") ? root.at(p.get("$ref").asText().substring(1)) : p;
            List<String> allowed = new ArrayList<>();
            target.path("enum").forEach(v -> allowed.add("`" + v.asText() + "`"));
            md.append("| `").append(prefix).append(e.getKey()).append("` | ").append(typeText(target))
                    .append(" | ").append(required.contains(e.getKey()) ? "yes" : "")
                    .append(" | ").append(target.has("default") ? "`" + cell(target.get("default").asText()) + "`" : "")
                    .append(" | ").append(String.join(", ", allowed))
                    .append(" | ").append(prose(p.path("description").asText(target.path("description").asText()))).append(" |\n");
        }
        md.append('\n');
    }

    private static String typeText(JsonNode s) {
        JsonNode t = s.get("type");
        List<String> types = new ArrayList<>();
        if (t != null && t.isArray()) {
            t.forEach(x -> types.add(x.asText()));
        } else if (t != null) {
            types.add(t.asText());
        }
        types.remove("null");
        List<String> words = types.stream().map(x -> switch (x) {
            case "object" -> "mapping";
            case "array" -> "list";
            default -> x;
        }).toList();
        return String.join(" or ", words);
    }

    /** Text outside code spans: {@code <integration>} would read as an HTML tag and vanish. */
    private static String prose(String text) {
        return cell(text).replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /**
     * The editors' schema of a route file: Camel YAML DSL's shape as far as Ferry's checks go (a list of routes with an
     * id, endpoints under from/to/toD/wireTap, nested steps) and, for each block's uri, its parameters — typed, with
     * {@code {{property}}} placeholders accepted wherever a number or a boolean goes.
     */
    static ObjectNode routesSchema(BlockSchemas blocks) {
        ObjectNode s = JSON.createObjectNode();
        s.put("$schema", "http://json-schema.org/draft-07/schema#");
        s.put("title", "Ferry route file (Camel YAML DSL)");
        s.put("description", "Generated from schema/blocks/*.json by ReferenceDocs; do not edit. routes/*.yaml start with "
                + "'# yaml-language-server: $schema=../schema/routes.schema.json'.");
        s.put("type", "array");
        ObjectNode items = s.putObject("items");
        items.put("type", "object");
        ObjectNode itemProps = items.putObject("properties");
        itemProps.putObject("route").put("$ref", "#/definitions/route");
        itemProps.putObject("from").put("$ref", "#/definitions/endpoint");
        ObjectNode defs = s.putObject("definitions");

        ObjectNode route = defs.putObject("route");
        route.put("type", "object");
        route.putArray("required").add("id").add("from");
        ObjectNode routeProps = route.putObject("properties");
        routeProps.putObject("id").put("type", "string").put("description", "The route's id: Ferry's logs, JMX and status page name routes by it.");
        routeProps.putObject("from").put("$ref", "#/definitions/endpoint");

        ObjectNode endpoint = defs.putObject("endpoint");
        endpoint.putArray("type").add("string").add("object");
        ObjectNode endpointProps = endpoint.putObject("properties");
        ArrayNode uriExamples = endpointProps.putObject("uri").put("type", "string").putArray("examples");
        endpointProps.putObject("parameters").put("type", "object");
        endpointProps.putObject("steps").put("$ref", "#/definitions/steps");
        ArrayNode allOf = endpoint.putArray("allOf");
        for (BlockSchema b : blocks.all()) {
            uriExamples.add(b.scheme() + ":" + b.pathName());
            ObjectNode rule = allOf.addObject();
            ObjectNode ifNode = rule.putObject("if");
            ifNode.putArray("required").add("uri");
            ifNode.putObject("properties").putObject("uri").put("pattern", "^" + b.scheme() + ":");
            rule.putObject("then").putObject("properties").set("parameters", editorParameters(b));
        }

        ObjectNode steps = defs.putObject("steps");
        steps.put("type", "array");
        ObjectNode step = steps.putObject("items");
        step.put("type", "object");
        ObjectNode stepProps = step.putObject("properties");
        for (String k : List.of("to", "toD", "wireTap")) {
            stepProps.putObject(k).put("$ref", "#/definitions/endpoint");
        }
        ObjectNode other = step.putObject("additionalProperties"); // any other EIP: its own steps are checked the same way
        other.putObject("properties").putObject("steps").put("$ref", "#/definitions/steps");
        return s;
    }

    private static ObjectNode editorParameters(BlockSchema b) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "object");
        p.put("description", b.description());
        ObjectNode props = p.putObject("properties");
        for (BlockParameter param : b.parameters()) {
            ObjectNode src = (ObjectNode) b.json().path("properties").get(param.name()).deepCopy();
            if (!"string".equals(param.type())) {
                String type = src.remove("type").asText();
                ArrayNode anyOf = src.putArray("anyOf");
                anyOf.addObject().put("type", type);
                anyOf.addObject().put("type", "string").put("pattern", "\\{\\{.+\\}\\}");
            }
            src.remove(List.of("x-ferry-secret", "x-ferry-group", "x-ferry-bean"));
            props.set(param.name(), src);
        }
        if (!b.parameters().isEmpty()) {
            ArrayNode req = JSON.createArrayNode();
            b.parameters().stream().filter(BlockParameter::required).forEach(x -> req.add(x.name()));
            if (!req.isEmpty()) {
                p.set("required", req);
            }
        }
        p.put("additionalProperties", b.camelComponent());
        return p;
    }
}
