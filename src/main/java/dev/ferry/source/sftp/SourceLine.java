package dev.ferry.source.sftp;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One data line of a file: a record for the mapping, or the reason it is not one (a wrong number of fields, not
 * JSON). {@code line} is where the record starts (1-based, header included).
 */
record SourceLine(long line, ObjectNode record, String problem, String raw) {

    /** Field every record carries so a dead letter names its line. */
    static final String LINE_FIELD = "_line";

    static SourceLine record(long line, ObjectNode record) {
        record.put(LINE_FIELD, line);
        return new SourceLine(line, record, null, null);
    }

    static SourceLine bad(long line, String problem, String raw) {
        return new SourceLine(line, null, problem, raw);
    }
}
