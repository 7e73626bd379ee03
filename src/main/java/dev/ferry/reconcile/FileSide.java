package dev.ferry.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A delimited file with a header line, e.g. a provider's bill file fetched over SFTP (S0.6): the provider's own
 * statement of what it holds. Parsed with Commons CSV as {@code source.sftp} does (its file classes are
 * package-private and tied to the file ledger).
 */
public final class FileSide extends RecordSide {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Charset charset;
    private final char delimiter;

    public FileSide(Path file, Charset charset, char delimiter, List<String> keyFields, List<String> fields, String scopeField) {
        super(keyFields, fields, scopeField, null, ZoneId.systemDefault());
        this.file = file;
        this.charset = charset;
        this.delimiter = delimiter;
    }

    @Override
    public String describe() {
        return "file " + file.getFileName();
    }

    @Override
    List<JsonNode> read(Scope scope) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true).setTrim(true).get();
        List<JsonNode> out = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, charset);
             CSVParser parser = CSVParser.builder().setReader(reader).setFormat(format).get()) {
            for (CSVRecord r : parser) {
                if (!r.isConsistent()) {
                    throw new ReconcileException(describe() + " line " + parser.getCurrentLineNumber() + ": "
                            + r.size() + " values for " + parser.getHeaderNames().size() + " columns");
                }
                ObjectNode o = JSON.createObjectNode();
                for (Map.Entry<String, String> e : r.toMap().entrySet()) {
                    o.put(e.getKey(), e.getValue());
                }
                out.add(o);
            }
        } catch (IOException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
        return out;
    }
}
