package dev.ferry.pipeline;

import dev.ferry.mapping.Mapping;

import java.util.Optional;

/** The spine of one integration: its mapping, its committed source position, and runs against it. */
public interface IntegrationPipeline {

    String integration();

    Mapping mapping();

    /** The committed source position (a watermark for HTTP pulls), if any run ever completed. */
    Optional<String> position();

    /**
     * Starts a run. {@code windowFrom}/{@code windowTo} describe what the source is asked for (shown in
     * the ledger); either may be null.
     */
    SyncRun startRun(String windowFrom, String windowTo);
}
