/**
 * Baton's REST client: {@link io.baton.client.BatonClient} over the JDK's HttpURLConnection and Jackson, no Pekko, for the
 * CLI and for any JVM program.
 *
 * <pre>
 *   program / cli ──► BatonClient ──HTTP──► a master ──(standby forwards)──► the leader
 *                        │  503 naming the leader: go there, remember it
 *                        │  503 no leader / leader refuses connections: an election; idempotent calls wait
 *                        ▼  (Retry-After, at most the election wait), the rest fail at once
 *        ProblemException (the server refused) | UnreachableException | NoLeaderException
 * </pre>
 */
package io.baton.client;
