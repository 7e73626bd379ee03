package dev.ferry.pipeline;

import dev.ferry.mapping.Mapping;

import java.util.Map;
import java.util.Optional;

/** The spine of one integration: its mapping, its committed source positions, and runs against it. */
public interface IntegrationPipeline {

    String integration();

    Mapping mapping();

    /** A committed source position by name (e.g. {@link SourcePositions#WATERMARK}). */
    Optional<Position> position(String name);

    /** Every committed source position of the integration. */
    Map<String, Position> positions();

    /**
     * Starts a run. An exclusive run takes the integration's lease first; when another live run holds it,
     * a SKIPPED run is written to the ledger and {@link RunLeaseHeldException} is thrown.
     */
    SyncRun startRun(RunRequest request);

    /**
     * Forgets what the dedupe store remembers of these business keys, so their next delivery is promoted even
     * if unchanged — for a correction after the target was altered or lost rows behind Ferry's back.
     */
    void forgetPromotedKeys(java.util.Collection<String> businessKeys);

    /** Records a run that could not start (bad configuration, an unreadable position) as FAILED with the reason. */
    void recordFailedStart(String trigger, String reason);
}
