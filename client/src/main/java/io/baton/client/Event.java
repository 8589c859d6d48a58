package io.baton.client;

import com.fasterxml.jackson.databind.JsonNode;

/** One server-sent event of {@code GET /api/v1/events}: {@code hello}, {@code job}, {@code worker}, {@code cluster}. */
public record Event(String type, JsonNode data) {}
