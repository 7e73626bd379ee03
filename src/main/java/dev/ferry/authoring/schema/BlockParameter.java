package dev.ferry.authoring.schema;

import java.util.List;

/**
 * One declared parameter of a building block: what {@code ferry validate} checks, what editors complete and what the
 * reference tables list.
 *
 * @param type JSON Schema type: string, integer, number or boolean
 * @param defaultValue the default as written in the schema, or null
 * @param allowed the allowed values, empty when any value of the type goes
 * @param secret masked in logged endpoint uris and scrubbed from messages
 * @param bean a bean reference ({@code #name}) of this Java type, or null
 */
public record BlockParameter(String name, String type, boolean required, Object defaultValue, String description,
                             List<String> allowed, boolean secret, String bean) {
}
