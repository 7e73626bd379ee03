package dev.ferry.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A folder laid out as the kubelet mounts a ConfigMap: the files live in a timestamped hidden folder, {@code ..data}
 * links to it, and each key is a link {@code name -> ..data/name}. An update writes a new timestamped folder and
 * swaps {@code ..data} (atomically, by a rename of a new link over it).
 */
final class MountedConfigMap {

    private final Path dir;
    private int generation;

    MountedConfigMap(Path dir) {
        this.dir = dir;
    }

    /** Publishes {@code files} (name → content) as the ConfigMap's current data. */
    MountedConfigMap publish(Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        Path data = dir.resolve(String.format("..2026_11_26_10_00_0%d.%09d", generation, 123456789 + generation++));
        Files.createDirectory(data);
        for (var e : files.entrySet()) {
            Files.writeString(data.resolve(e.getKey()), e.getValue());
        }
        Path tmpLink = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmpLink);
        Files.createSymbolicLink(tmpLink, data.getFileName());
        Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : files.keySet()) {
            Path link = dir.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", name));
            }
        }
        return this;
    }

    /** The files of a source folder (routes/, mappings/), by name. */
    static Map<String, String> filesOf(Path source) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (var list = Files.list(source)) {
            for (Path f : list.filter(Files::isRegularFile).toList()) {
                out.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        return out;
    }
}
