package dev.ferry.authoring.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PackageScanResourceResolver;
import org.apache.camel.spi.Resource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every building block's declared parameters: one file per block in {@code schema/blocks/} (shipped in the jar under
 * {@code schema/blocks/}). This is the one source {@code ferry validate}, the editors' route schema and the reference
 * tables in {@code docs/reference/} are made from; adding a block is adding its file there.
 */
public final class BlockSchemas {

    public static final String LOCATION = "classpath:schema/blocks/*.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, BlockSchema> byScheme;

    private BlockSchemas(Map<String, BlockSchema> byScheme) {
        this.byScheme = byScheme;
    }

    /** Reads every block file on the classpath (Camel's resource resolver lists a folder inside a jar as well). */
    public static BlockSchemas load() {
        try (CamelContext context = new DefaultCamelContext()) {
            PackageScanResourceResolver resolver = context.getCamelContextExtension().getContextPlugin(PackageScanResourceResolver.class);
            Map<String, BlockSchema> blocks = new TreeMap<>();
            for (Resource r : resolver.findResources(LOCATION)) {
                try (InputStream in = r.getInputStream()) {
                    BlockSchema b = BlockSchema.fromJson(r.getLocation(), JSON.readTree(in));
                    BlockSchema clash = blocks.putIfAbsent(b.scheme(), b);
                    if (clash != null) {
                        throw new IllegalStateException("two block schemas declare " + b.scheme() + ": " + r.getLocation());
                    }
                }
            }
            return new BlockSchemas(blocks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + LOCATION, e);
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    public Optional<BlockSchema> block(String scheme) {
        return Optional.ofNullable(byScheme.get(scheme));
    }

    /** By scheme, in name order. */
    public Collection<BlockSchema> all() {
        return byScheme.values();
    }

    /** The mapping-file schema, {@code schema/mapping.schema.json}. */
    public static JsonNode mappingSchema() {
        try (InputStream in = BlockSchemas.class.getResourceAsStream("/schema/mapping.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("schema/mapping.schema.json is not on the classpath");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema/mapping.schema.json", e);
        }
    }
}
