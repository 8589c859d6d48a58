package io.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * One page of job summaries ({@code id, name, state, tasksTotal, tasksSucceeded, submittedAt, finishedAt}),
 * newest first; {@code nextBefore} is the id to pass as {@code before} for the next page, empty on the last one.
 */
public record JobPage(List<JsonNode> jobs, Optional<String> nextBefore, JsonNode raw) {
  public JobPage {
    jobs = List.copyOf(jobs);
  }
}
