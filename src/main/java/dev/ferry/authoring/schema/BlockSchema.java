package dev.ferry.authoring.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A building block's declared parameters, read from its file {@code schema/blocks/<scheme>.json} (a JSON Schema of the
 * endpoint's {@code parameters:} object, with Ferry's facts about the endpoint under {@code x-ferry-block}).
 *
 * @param camelComponent a Camel component Ferry documents only in part: parameters it does not list are checked
 *                       against Camel's own catalog instead of being refused
 */
public record BlockSchema(String scheme, String syntax, String description, String kind, String endpointClass,
                          String pathName, String pathDescription, List<BlockParameter> parameters, boolean camelComponent,
                          JsonNode json) {

    public Optional<BlockParameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public List<String> parameterNames() {
        return parameters.stream().map(BlockParameter::name).toList();
    }

    /** @throws IllegalArgumentException naming what the schema file lacks */
    static BlockSchema fromJson(String file, JsonNode json) {
        JsonNode block = json.path("x-ferry-block");
        String scheme = block.path("scheme").asText(null);
        if (scheme == null || !json.path("properties").isObject()) {
            throw new IllegalArgumentException(file + ": a block schema needs x-ferry-block.scheme and properties");
        }
        Set<String> required = new HashSet<>();
        json.path("required").forEach(r -> required.add(r.asText()));
        List<BlockParameter> params = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode p = e.getValue();
            List<String> allowed = new ArrayList<>();
            p.path("enum").forEach(v -> allowed.add(v.asText()));
            JsonNode def = p.get("default");
            Object defaultValue = def == null ? null : def.isNumber() ? def.numberValue() : def.isBoolean() ? def.booleanValue() : def.asText();
            params.add(new BlockParameter(e.getKey(), p.path("type").asText("string"), required.contains(e.getKey()), defaultValue,
                    p.path("description").asText(""), List.copyOf(allowed), p.path("x-ferry-secret").asBoolean(false),
                    p.path("x-ferry-bean").asText(null)));
        }
        return new BlockSchema(scheme, block.path("syntax").asText(scheme + ":name"), json.path("description").asText(""),
                block.path("kind").asText("both"), block.path("endpoint").asText(null), block.path("path").path("name").asText("name"),
                block.path("path").path("description").asText(""), List.copyOf(params), block.path("camelComponent").asBoolean(false), json);
    }
}
