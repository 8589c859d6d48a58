package io.baton.web;

import io.baton.protocol.job.Webhook;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A job's webhooks against the signing secrets this master has: a webhook naming a secret no master has would fail
 * at every delivery, so its job (or schedule) is refused at submit, naming the webhook and the known names. Pure.
 */
final class AlertSecretCheck {
  private AlertSecretCheck() {}

  /** One violation per webhook whose secret is not in {@code known}, at {@code prefix + "notify[i].secret"}. */
  static List<Violation> unknown(List<Webhook> webhooks, String prefix, Optional<Set<String>> known) {
    if (known.isEmpty()) {
      return List.of();
    }
    List<Violation> out = new ArrayList<>();
    for (int i = 0; i < webhooks.size(); i++) {
      String secret = webhooks.get(i).secret();
      if (secret != null && !known.get().contains(secret)) {
        out.add(new Violation(prefix + "notify[" + i + "].secret", "no secret named '" + secret
            + "' on this master; " + (known.get().isEmpty()
                ? "it has none (add it to the file baton.alerts.secrets-file names, on every master)"
                : "it has " + new TreeSet<>(known.get()) + " (baton.alerts.secrets-file, the same on every master)")));
      }
    }
    return out;
  }
}
