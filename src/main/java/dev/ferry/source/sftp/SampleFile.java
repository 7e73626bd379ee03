package dev.ferry.source.sftp;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole local file read the way {@code ferry-sftp} reads a downloaded one (same CSV/JSON-lines readers, strict
 * decoding, header names the fields), for tools that try a mapping on a sample ({@code ferry try}, {@code ferry test}).
 */
public final class SampleFile {

    /** A record with its line, or the line's problem (record null). */
    public record Line(long line, ObjectNode record, String problem) {
    }

    private SampleFile() {
    }

    /**
     * Every line of the file. A problem that stops the file (bad encoding, an unclosed quote) ends the list with a
     * line carrying it.
     */
    public static List<Line> read(Path file, FileFormat format, Charset charset, char delimiter) throws IOException {
        List<Line> out = new ArrayList<>();
        try (RecordFile records = RecordFile.open(file, file.getFileName().toString(), format, charset, delimiter, '"', null)) {
            for (SourceLine l = records.next(); l != null; l = records.next()) {
                out.add(new Line(l.line(), l.record(), l.problem()));
            }
        } catch (FileParseException e) {
            out.add(new Line(e.line(), null, e.getMessage()));
        }
        return out;
    }
}
