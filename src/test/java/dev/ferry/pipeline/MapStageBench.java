package dev.ferry.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.devservices.BenchRecords;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingLoader;
import dev.ferry.mapping.RecordMapper;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM side of a first load without a database, for iterating on the mapping hot path: parse a page of bench
 * records, map each, check its columns, hash its key, write the staging TSV. Prints CPU µs and bytes allocated
 * per record of this thread (the full benchmark, exec:java@bench, is the measure that counts). Run:
 * {@code mvn -q -o test-compile exec:java -Dexec.mainClass=dev.ferry.pipeline.MapStageBench -Dexec.classpathScope=test}
 */
public final class MapStageBench {

    public static void main(String[] args) throws Exception {
        int pageSize = 5000;
        int pages = Integer.getInteger("pages", 20);
        int rounds = Integer.getInteger("rounds", 8);
        Mapping mapping = MappingLoader.load(Path.of("src/test/resources/bench/mappings/bench-records.yaml"));
        ObjectMapper json = new ObjectMapper();
        // records are parsed as the sources parse them (compact object trees); -Dtrees=jackson for Jackson's own
        ObjectMapper reader = "jackson".equals(System.getProperty("trees")) ? json : dev.ferry.mapping.RecordTrees.MAPPER;
        BenchRecords set = new BenchRecords((long) pageSize * pages, Clock.systemUTC());
        List<byte[]> bodies = new ArrayList<>();
        for (int p = 0; p < pages; p++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator g = json.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeArrayFieldStart("items");
                set.write(g, (long) p * pageSize, (long) (p + 1) * pageSize);
                g.writeEndArray();
                g.writeEndObject();
            }
            bodies.add(out.toByteArray());
        }
        List<TargetTable.Column> cols = List.of(
                new TargetTable.Column("id", "bigint(20)", "bigint", null, false, null, null, false),
                new TargetTable.Column("code", "varchar(32)", "varchar", 32L, true, "utf8mb4", "x", false),
                new TargetTable.Column("name", "varchar(64)", "varchar", 64L, true, "utf8mb4", "x", false),
                new TargetTable.Column("qty", "int(11)", "int", null, true, null, null, false),
                new TargetTable.Column("price", "decimal(12,2)", "decimal", null, true, null, null, false),
                new TargetTable.Column("amount", "decimal(14,2)", "decimal", null, true, null, null, false),
                new TargetTable.Column("status", "varchar(16)", "varchar", 16L, true, "utf8mb4", "x", false),
                new TargetTable.Column("created", "datetime", "datetime", null, true, null, null, false),
                new TargetTable.Column("modified", "datetime", "datetime", null, true, null, null, false),
                new TargetTable.Column("note", "varchar(64)", "varchar", 64L, true, "utf8mb4", "x", false));
        ColumnChecks checks = new ColumnChecks(cols);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            long[] split = new long[3]; // parse, map+check+hash, tsv
            long[] bytes = new long[3];
            long tid = Thread.currentThread().getId();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long alloc0 = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            long n = 0;
            for (byte[] body : bodies) {
                long a = mx.getCurrentThreadCpuTime();
                long aa = mx.getThreadAllocatedBytes(tid);
                List<JsonNode> records = mapping.selectRecords(reader.readTree(body));
                long b = mx.getCurrentThreadCpuTime();
                long ba = mx.getThreadAllocatedBytes(tid);
                RecordMapper mapper = mapping.newMapper(null);
                List<MappedRow> rows = new ArrayList<>(records.size());
                for (JsonNode rec : records) {
                    for (MappedRow row : mapper.map(rec)) {
                        if (checks.check(row.values()) != null) {
                            throw new IllegalStateException("column check failed");
                        }
                        sink += KeyHash.of(row.businessKey()) + row.contentHash().charAt(3);
                        rows.add(row);
                    }
                }
                long c = mx.getCurrentThreadCpuTime();
                long ca = mx.getThreadAllocatedBytes(tid);
                sink += tsv(rows).size();
                long d = mx.getCurrentThreadCpuTime();
                long da = mx.getThreadAllocatedBytes(tid);
                bytes[0] += ba - aa;
                bytes[1] += ca - ba;
                bytes[2] += da - ca;
                split[0] += b - a;
                split[1] += c - b;
                split[2] += d - c;
                n += records.size();
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long alloc = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - alloc0;
            System.out.printf("round %d: %.2f µs/record CPU (parse %.2f, map+check+hash %.2f, tsv %.2f), %d bytes/record allocated (parse %d, map %d, tsv %d)%n",
                    r, cpu / 1000.0 / n, split[0] / 1000.0 / n, split[1] / 1000.0 / n, split[2] / 1000.0 / n, alloc / n, bytes[0] / n, bytes[1] / n, bytes[2] / n);
        }
        // what a batch's trees hold while it is in flight: heap in use after a collection, all pages' records kept
        java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        List<List<JsonNode>> held = new ArrayList<>();
        long heldRecords = 0;
        for (byte[] body : bodies) {
            held.add(mapping.selectRecords(reader.readTree(body)));
            heldRecords += held.get(held.size() - 1).size();
        }
        System.gc();
        System.out.printf("records held: %d bytes/record of heap after a collection (%,d records)%n",
                (memory.getHeapMemoryUsage().getUsed() - before) / heldRecords, heldRecords);
        sink += held.size();
        System.out.println("(sink " + sink + ")");
    }

    /** The staging TSV as StagingWriter.loadData writes it. */
    private static TsvBytes tsv(List<MappedRow> rows) {
        TsvBytes tsv = new TsvBytes(rows.size() * 200);
        for (int i = 0; i < rows.size(); i++) {
            MappedRow row = rows.get(i);
            tsv.number(1).tab().number(i + 1).tab().escaped(row.businessKey()).tab().ascii(row.contentHash()).tab()
                    .ascii(row.op().code()).tab().value(row.version());
            for (Object v : row.values()) {
                tsv.tab().value(v);
            }
            tsv.newline();
        }
        return tsv;
    }
}
