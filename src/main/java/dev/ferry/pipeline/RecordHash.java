package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.Mapping;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.Map;

/**
 * A record's hash as the source delivered it (issue 13, the steady state): MD5 over a canonical walk of its JSON tree
 * — every node's type, every field name in order, every scalar's exact value — seeded with the mapping's fingerprint
 * (its file's bytes, the JVM's zone, Ferry's version, the target's column types). Two records with the same hash are the same tree, so a mapping
 * whose rows depend on the record alone ({@code RecordMapper.whyNotSkippable()}) maps them to the same rows: the store
 * keeps it beside the content hash, and a re-pulled record whose record hash is unchanged is not mapped at all. An
 * edited mapping has another seed, so every record is mapped once more. Any difference — even one the mapping ignores,
 * a field reordered, {@code 1} against {@code 1.0} — only sends the record through the full mapping and the content-hash
 * comparison, as before.
 */
final class RecordHash {

    /** Bumped when the walk below changes, so hashes of the old walk are never compared with the new one's. */
    private static final String FORMAT = "ferry-record-hash-1";

    private final byte[] seed;

    private RecordHash(byte[] seed) {
        this.seed = seed;
    }

    /** The hash of the mapping's records, or null when its file cannot be read (the shortcut is then off). */
    static RecordHash forMapping(Mapping mapping) {
        return forMapping(mapping, java.util.List.of());
    }

    /**
     * As above, seeded with the target's columns too: a record that fitted a column may not fit it once the column is
     * altered (the column checks reject it), so an altered target maps every record once more.
     */
    static RecordHash forMapping(Mapping mapping, java.util.List<TargetTable.Column> columns) {
        if (mapping.file() == null) {
            return null;
        }
        try {
            MessageDigest md5 = md5();
            md5.update((FORMAT + '\0').getBytes(StandardCharsets.UTF_8));
            md5.update(Files.readAllBytes(mapping.file()));
            // dates without a zone are read in the JVM's; an upgrade of Ferry may map differently
            String version = RecordHash.class.getPackage().getImplementationVersion();
            md5.update(("\0" + ZoneId.systemDefault().getId() + '\0' + version).getBytes(StandardCharsets.UTF_8));
            for (TargetTable.Column c : columns) {
                md5.update(("\0" + c.name() + ' ' + c.stagingType() + (c.nullable() ? " NULL" : " NOT NULL")).getBytes(StandardCharsets.UTF_8));
            }
            return new RecordHash(md5.digest());
        } catch (IOException e) {
            return null;
        }
    }

    /** A hasher for one thread (one digest and one buffer, reused record after record). */
    Hasher newHasher() {
        return new Hasher();
    }

    final class Hasher {
        private final MessageDigest md5 = md5();
        private byte[] buf = new byte[512];
        private int len;

        /** The record's 16-byte hash, or null when it holds a node the walk cannot tell apart (a POJO): never skipped. */
        byte[] of(JsonNode record) {
            len = 0;
            if (!walk(record)) {
                return null;
            }
            md5.update(seed);
            md5.update(buf, 0, len);
            return md5.digest();
        }

        private boolean walk(JsonNode n) {
            switch (n.getNodeType()) {
                case OBJECT -> {
                    put('O');
                    putInt(n.size());
                    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        putText(e.getKey());
                        if (!walk(e.getValue())) {
                            return false;
                        }
                    }
                }
                case ARRAY -> {
                    put('A');
                    putInt(n.size());
                    for (JsonNode e : n) {
                        if (!walk(e)) {
                            return false;
                        }
                    }
                }
                case STRING -> {
                    put('S');
                    putText(n.textValue());
                }
                case NUMBER -> {
                    switch (n.numberType()) {
                        case INT, LONG -> {
                            put(n.isInt() ? 'I' : 'L');
                            putLong(n.longValue());
                        }
                        case DOUBLE -> {
                            put('D');
                            putLong(Double.doubleToRawLongBits(n.doubleValue()));
                        }
                        case FLOAT -> {
                            put('F');
                            putLong(Float.floatToRawIntBits(n.floatValue()));
                        }
                        default -> { // BigInteger, BigDecimal: the exact text (a BigDecimal's carries its scale)
                            put(n.isBigDecimal() ? 'M' : 'B');
                            putText(n.numberValue().toString());
                        }
                    }
                }
                case BOOLEAN -> put(n.booleanValue() ? 't' : 'f');
                case NULL -> put('N');
                case MISSING -> put('m');
                case BINARY -> {
                    put('Y');
                    byte[] b;
                    try {
                        b = n.binaryValue();
                    } catch (IOException e) {
                        return false;
                    }
                    putInt(b.length);
                    ensure(b.length);
                    System.arraycopy(b, 0, buf, len, b.length);
                    len += b.length;
                }
                default -> {
                    return false; // a POJO node: its text need not tell two values apart
                }
            }
            return true;
        }

        /** Length-prefixed chars: ASCII as one byte, any other char as 0xFF and its two bytes (unambiguous, no encoder). */
        private void putText(String s) {
            int n = s.length();
            putInt(n);
            ensure(n * 3);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    buf[len++] = (byte) c;
                } else {
                    buf[len++] = (byte) 0xFF;
                    buf[len++] = (byte) (c >>> 8);
                    buf[len++] = (byte) c;
                }
            }
        }

        private void put(char tag) {
            ensure(1);
            buf[len++] = (byte) tag;
        }

        private void putInt(int v) {
            ensure(4);
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
        }

        private void putLong(long v) {
            putInt((int) (v >>> 32));
            putInt((int) v);
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
