package dev.ferry.source.kafka;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Jackson's node factory with one change: JSON objects keep their fields in a {@link SmallFieldMap} rather than a
 * LinkedHashMap. Every other node — and so what the mapping, the record hash and the dead letters read — is Jackson's.
 */
final class SmallObjectNodes extends JsonNodeFactory {

    private static final long serialVersionUID = 1L;

    SmallObjectNodes() {
        super(); // as JsonNodeFactory.instance: decimals normalized (only BigDecimal nodes, which json parsing does not make)
    }

    @Override
    public ObjectNode objectNode() {
        return new ObjectNode(this, new SmallFieldMap());
    }
}
