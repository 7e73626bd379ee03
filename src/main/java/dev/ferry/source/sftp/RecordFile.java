package dev.ferry.source.sftp;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A downloaded file read one record at a time (memory stays flat whatever the size). Decoding is strict: bytes
 * that are not valid in the declared encoding stop the file with the line named, rather than loading mojibake.
 * A trailer line ({@code TOTAL,1234}) matching the configured pattern is taken out of the records; its count is
 * available once the file has been read to the end.
 */
abstract class RecordFile implements Closeable {

    protected final String name;
    protected final Pattern trailer;
    private Long trailerCount;
    private long trailerLine;

    protected RecordFile(String name, Pattern trailer) {
        this.name = name;
        this.trailer = trailer;
    }

    static RecordFile open(Path file, String name, FileFormat format, Charset charset, char delimiter, char quote, Pattern trailer)
            throws IOException {
        BufferedReader reader = reader(Files.newInputStream(file), charset);
        return format == FileFormat.csv ? new CsvRecordFile(reader, name, delimiter, quote, trailer, charset.name())
                : new JsonLinesRecordFile(reader, name, trailer, charset.name());
    }

    /**
     * Bytes that are not valid in the charset decode to U+FFFD, which the readers turn into an error naming the
     * line (a decoder that throws cannot say which line: it decodes ahead in blocks). A byte-order mark is skipped.
     */
    static BufferedReader reader(InputStream in, Charset charset) throws IOException {
        var decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith("\uFFFD");
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    /** Stops the file at the first line holding bytes the declared encoding cannot decode. */
    protected void checkDecoded(String text, long line, String charset) {
        if (text != null && text.indexOf('\uFFFD') >= 0) {
            throw new FileParseException(line, "is not valid " + charset + " at line " + line + " (is the declared encoding right?)", null);
        }
    }

    /** The next data line, or null at the end. */
    abstract SourceLine next();

    /** The trailer's declared count, or null when the file has none (call after {@link #next} returned null). */
    Long trailerCount() {
        return trailerCount;
    }

    /** Whether {@code text} is the trailer; remembers its count. A second trailer, or lines after it, are errors. */
    protected boolean trailer(String text, long line) {
        if (trailerCount != null) {
            throw new FileParseException(line, "line " + line + " follows the trailer at line " + trailerLine
                    + " (the trailer must be the last line)", null);
        }
        if (trailer == null || text == null) {
            return false;
        }
        Matcher m = trailer.matcher(text);
        if (!m.matches()) {
            return false;
        }
        try {
            trailerCount = Long.parseLong(m.group(1).trim());
        } catch (RuntimeException e) {
            throw new FileParseException(line, "trailer at line " + line + " has no count: " + text, e);
        }
        trailerLine = line;
        return true;
    }
}
