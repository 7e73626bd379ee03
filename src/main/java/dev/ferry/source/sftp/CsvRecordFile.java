package dev.ferry.source.sftp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/** CSV with Apache Commons CSV: the header names the fields, RFC 4180 quoting, CRLF or LF. */
final class CsvRecordFile extends RecordFile {

    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private final char delimiter;
    private final String charset;

    CsvRecordFile(BufferedReader reader, String name, char delimiter, char quote, Pattern trailer, String charset) throws IOException {
        super(name, trailer);
        this.delimiter = delimiter;
        this.charset = charset;
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setQuote(quote).setHeader()
                .setSkipHeaderRecord(true).setIgnoreEmptyLines(true).setAllowMissingColumnNames(false).get();
        try {
            this.parser = CSVParser.builder().setReader(reader).setFormat(format).get();
        } catch (UncheckedIOException | IOException e) {
            reader.close();
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            throw new FileParseException(1, "has no readable header line: " + cause.getMessage(), e);
        } catch (IllegalArgumentException e) {
            reader.close();
            throw new FileParseException(1, "header line: " + e.getMessage(), e);
        }
        this.header = parser.getHeaderNames();
        checkDecoded(String.join(",", header), 1, charset);
        if (header.isEmpty()) {
            throw new FileParseException(1, "has no header line", null);
        }
        this.records = parser.iterator();
    }

    @Override
    SourceLine next() {
        while (true) {
            long line = parser.getCurrentLineNumber() + 1;
            CSVRecord r;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                r = records.next();
            } catch (UncheckedIOException e) {
                // an unclosed quote or a stray character after one: the parser cannot find the next record
                throw new FileParseException(line, "cannot be parsed at line " + line + ": " + e.getCause().getMessage(), e);
            } catch (IllegalStateException e) {
                throw new FileParseException(line, "cannot be parsed at line " + line + ": " + e.getMessage(), e);
            }
            String raw = String.join(String.valueOf(delimiter), r.values());
            checkDecoded(raw, line, charset);
            if (trailer(raw, line)) {
                continue;
            }
            if (r.size() != header.size()) {
                return SourceLine.bad(line, "expected " + header.size() + " fields (" + String.join(",", header) + ") but found "
                        + r.size(), raw);
            }
            ObjectNode record = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < header.size(); i++) {
                String value = r.get(i);
                if (value.isEmpty()) {
                    record.putNull(header.get(i));
                } else {
                    record.put(header.get(i), value);
                }
            }
            return SourceLine.record(line, record);
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
