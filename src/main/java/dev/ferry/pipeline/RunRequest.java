package dev.ferry.pipeline;

/**
 * How a run is asked for.
 *
 * @param trigger    what started it: {@code schedule}, {@code remedy}, {@code backfill}, {@code replay},
 *                   {@code manual}, {@code stream} — shown in the ledger
 * @param windowFrom what the source is asked for, shown in the ledger (may be null)
 * @param windowTo   ditto
 * @param exclusive  takes the integration's run lease (pollers: one run at a time across replicas and
 *                   triggers). Streaming sources whose batches carry their own positions per partition
 *                   (Kafka) run without it.
 */
public record RunRequest(String trigger, String windowFrom, String windowTo, boolean exclusive) {

    public static RunRequest of(String trigger, String windowFrom, String windowTo) {
        return new RunRequest(trigger, windowFrom, windowTo, true);
    }
}
