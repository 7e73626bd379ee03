package dev.ferry.source.sftp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ferry.mapping.RecordTrees;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.regex.Pattern;

/** JSON Lines: one JSON object per line; blank lines are skipped. */
final class JsonLinesRecordFile extends RecordFile {

    private static final ObjectMapper JSON = RecordTrees.MAPPER; // records: compact object trees

    private final BufferedReader reader;
    private long line;

    private final String charset;

    JsonLinesRecordFile(BufferedReader reader, String name, Pattern trailer, String charset) {
        super(name, trailer);
        this.reader = reader;
        this.charset = charset;
    }

    @Override
    SourceLine next() {
        while (true) {
            String text;
            try {
                text = reader.readLine();
            } catch (IOException e) {
                throw new FileParseException(line + 1, "cannot be read at line " + (line + 1) + ": " + e.getMessage(), e);
            }
            if (text == null) {
                return null;
            }
            line++;
            checkDecoded(text, line, charset);
            if (text.isBlank() || trailer(text, line)) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(text);
                if (!(node instanceof ObjectNode o)) {
                    return SourceLine.bad(line, "not a JSON object", text);
                }
                return SourceLine.record(line, o);
            } catch (JsonProcessingException e) {
                return SourceLine.bad(line, "not JSON: " + e.getOriginalMessage(), text);
            }
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
