package io.baton.protocol.job;

import java.util.List;

/**
 * One webhook of a job's {@code notify} list (see README, "Alerts"): {@code url} (http or https) is POSTed a JSON
 * alert on each event of {@code on}, signed with the cluster secret named {@code secret} (the secret itself is a
 * master setting, {@code baton.alerts.secrets.<name>}, never part of the spec). {@code runningLongerThanSeconds}
 * is the threshold of {@link AlertEvent#RUNNING_LONG} (0 when that event is not asked for). Not validated by
 * construction: {@link JobSpecRules#check} says what is wrong.
 */
public record Webhook(String url, String secret, List<AlertEvent> on, int runningLongerThanSeconds) {
  public Webhook {
    on = on == null ? List.of(AlertEvent.FAILED) : List.copyOf(on);
  }

  public boolean wants(AlertEvent event) {
    return on.contains(event);
  }
}
