package io.baton.app.chaos;

import java.util.List;
import java.util.Map;

/**
 * Everything a chaos run leaves behind for the {@link HistoryChecker}: the ledger's lines as written by the tasks,
 * the faults injected, the acknowledged submissions (idempotency key to job id), every job the list showed
 * (to find two jobs for one key: a job's name is its key), and the full record of every acknowledged job that
 * still exists (keyed by job id).
 */
public record History(List<String> ledger, List<Fault> faults, Map<String, String> acknowledged,
    List<JobRecord.Listed> listed, Map<String, JobRecord> records) {}
