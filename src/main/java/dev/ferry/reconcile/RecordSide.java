package dev.ferry.reconcile;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shared by the sides that read whole records (an API answer, a file line): picks the key and value fields,
 * applies the scope, the key filter and the minimum age in Java, and sorts in memory (neither an API nor a
 * file sorts by key for us; a window or a file is the bounded unit read).
 */
abstract class RecordSide implements Side {

    private final List<String> keyFields;
    private final List<String> fields;
    private final String scopeField;
    private final String ageField;
    private final ZoneId zone;
    private long lastInFlight;

    RecordSide(List<String> keyFields, List<String> fields, String scopeField, String ageField, ZoneId zone) {
        this.keyFields = List.copyOf(keyFields);
        this.fields = List.copyOf(fields);
        this.scopeField = scopeField;
        this.ageField = ageField;
        this.zone = zone == null ? ZoneId.systemDefault() : zone;
    }

    /** Every record of the scope as the source gives it. */
    abstract List<JsonNode> read(Scope scope);

    @Override
    public RowStream rows(Scope scope, Set<String> onlyKeys, Instant youngerThan) {
        List<SideRow> out = new ArrayList<>();
        long inFlight = 0;
        LocalDateTime limit = youngerThan == null ? null : LocalDateTime.ofInstant(youngerThan, zone);
        for (JsonNode record : read(scope)) {
            if (scopeField != null && scope != null && scope.value() != null
                    && !scope.value().toString().equals(Values.text(record.get(scopeField)))) {
                continue;
            }
            String key = String.join("|", keyFields.stream().map(f -> String.valueOf(Values.text(record.get(f)))).toList());
            if (onlyKeys != null && !onlyKeys.contains(key)) {
                continue;
            }
            if (limit != null && ageField != null) {
                LocalDateTime age = Values.dateTime(Values.fromJson(record.get(ageField)));
                if (age != null && age.isAfter(limit)) {
                    inFlight++;
                    continue;
                }
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (String f : fields) {
                values.put(f, Values.fromJson(record.get(f)));
            }
            for (String f : keyFields) {
                values.putIfAbsent(f, Values.fromJson(record.get(f)));
            }
            out.add(new SideRow(key, values, record));
        }
        lastInFlight = inFlight;
        return RowStream.sorted(out);
    }

    @Override
    public long inFlight(Scope scope, Instant youngerThan) {
        return lastInFlight;
    }
}
