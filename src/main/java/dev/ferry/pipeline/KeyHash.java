package dev.ferry.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The first 64 bits of a string's MD5, for the per-row memories of a run (recent keys, distinct records). It
 * runs for every row: one digest per thread and no hex text in between (the store's key_hash is the same MD5).
 */
final class KeyHash {

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private KeyHash() {
    }

    static long of(String s) {
        byte[] d = MD5.get().digest(s.getBytes(StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    /** The whole MD5 of a string: the store's {@code key_hash} of a business key. */
    static byte[] md5(String s) {
        return MD5.get().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
