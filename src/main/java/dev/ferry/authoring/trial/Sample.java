package dev.ferry.authoring.trial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.mapping.Mapping;
import dev.ferry.source.sftp.FileFormat;
import dev.ferry.source.sftp.SampleFile;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a sample, selected the way the integration's source selects them: a JSON page through the
 * mapping's {@code source.records} (as {@code ferry-http} does), CSV and JSON lines line by line (as {@code ferry-sftp}
 * does). {@code selection} says how they were found; {@code problems} are lines that are not records at all.
 */
public record Sample(String label, String selection, List<Item> records, List<String> problems) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One record and where it is in the sample ("record 2", "line 5"). */
    public record Item(String where, JsonNode record) {
    }

    /** A sample file: {@code .csv} (header line), {@code .jsonl} (one record per line), else one JSON page. */
    public static Sample read(Path file, Mapping mapping, Charset charset, char delimiter) throws IOException {
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".csv") || name.endsWith(".jsonl")) {
            FileFormat format = name.endsWith(".csv") ? FileFormat.csv : FileFormat.jsonl;
            List<Item> items = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (SampleFile.Line l : SampleFile.read(file, format, charset, delimiter)) {
                if (l.record() != null) {
                    items.add(new Item("line " + l.line(), l.record()));
                } else {
                    problems.add("line " + l.line() + ": " + l.problem());
                }
            }
            return new Sample(file.toString(), format + " file, " + items.size() + " record(s), one per line", items, problems);
        }
        JsonNode page;
        try {
            page = JSON.readTree(Files.readString(file, charset));
        } catch (IOException e) {
            return new Sample(file.toString(), "not JSON", List.of(), List.of(file + ": not JSON: " + e.getMessage()));
        }
        return page(file.toString(), page, mapping);
    }

    /** One page of JSON, selected by the mapping's {@code source.records}. */
    public static Sample page(String label, JsonNode page, Mapping mapping) {
        String path = mapping.recordsPath();
        List<JsonNode> found = mapping.findRecords(page);
        if (found == null) {
            String why = path == null ? "the sample is empty"
                    : "records path " + path + " matched nothing in the sample (a typo in source.records?)";
            return new Sample(label, why, List.of(), List.of(why));
        }
        List<Item> items = new ArrayList<>(found.size());
        for (int i = 0; i < found.size(); i++) {
            items.add(new Item("record " + (i + 1), found.get(i)));
        }
        String selection = path == null ? (page.isArray() ? "the page's array elements" : "the page itself") + " (no source.records)"
                : "records path " + path;
        return new Sample(label, selection + ": " + items.size() + " record(s)", items, List.of());
    }
}
