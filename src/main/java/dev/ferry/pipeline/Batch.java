package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What a source hands to {@link SyncRun#submit}: records, where they came from, and the positions they
 * reach. Positions are committed in this batch's promotion transaction, and only when the batch — and, for
 * the batch that ends a segment, the whole segment — reconciled; otherwise they stay where they were.
 *
 * @param records       the raw records as the source delivered them (before flattening); may be empty, e.g.
 *                      a batch that only closes a segment with its position
 * @param where         where in the source ("page 3", "bills_20261122.csv lines 1-5000", "orders-2@1200-1299")
 * @param segment       the slice, file or partition this batch belongs to, or null; records of a segment
 *                      whose {@code countDistinct} is set are counted as distinct records (by their keys) so the
 *                      segment's end can be checked against the source's count
 * @param reportedTotal the total the source reports for the segment or run, if it reports one; else null
 * @param positions     positions reached once this batch is promoted
 * @param end           non-null when this batch is the segment's last: the segment's verdict is decided in
 *                      this batch's transaction, before its positions move
 */
public record Batch(List<JsonNode> records, String where, Segment segment, Long reportedTotal, List<Position> positions,
                    SegmentEnd end) {

    public Batch {
        records = List.copyOf(records);
        positions = positions == null ? List.of() : List.copyOf(positions);
        if (end != null && segment == null) {
            throw new IllegalArgumentException("a batch that ends a segment names the segment");
        }
    }

    /** The slice / file / partition a batch belongs to. */
    public record Segment(String label, boolean countDistinct) {
    }

    /**
     * The end of a segment.
     *
     * @param sourceCount how many records the source says the segment holds (reported total, count request,
     *                    trailer line), or null when the source cannot say: the verdict is then UNVERIFIED
     * @param countedBy   what the source count came from, for the verdict's detail ("reported total", "count request")
     */
    public record SegmentEnd(Long sourceCount, String countedBy) {
    }

    public static Batch of(List<JsonNode> records, String where) {
        return new Batch(records, where, null, null, List.of(), null);
    }

    public Batch inSegment(Segment s) {
        return new Batch(records, where, s, reportedTotal, positions, end);
    }

    public Batch withReportedTotal(Long total) {
        return new Batch(records, where, segment, total, positions, end);
    }

    public Batch committing(List<Position> reached) {
        return new Batch(records, where, segment, reportedTotal, reached, end);
    }

    public Batch committing(Position... reached) {
        return committing(List.of(reached));
    }

    public Batch endingSegment(Long sourceCount, String countedBy) {
        return new Batch(records, where, segment, reportedTotal, positions, new SegmentEnd(sourceCount, countedBy));
    }
}
