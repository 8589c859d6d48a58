package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AlertEvent;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.Webhook;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.schedule.CronSyntax;
import io.baton.protocol.schedule.Misfire;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleRecord;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds Kryo instances with every persisted class registered under a fixed id. Registration is required, so
 * bytes can only name these classes. Ids are part of the persisted format: never reuse or renumber one; append
 * new classes with new ids. Ids 70 and above belong to the wire module's messages.
 *
 * <p>Collections, maps, strings and byte arrays decode with bounded lengths when read from a {@link BoundedInput}
 * (see {@link BoundedSerializers}), and nesting is capped at {@link #MAX_DEPTH}: bytes from ZooKeeper or from the
 * network are untrusted.
 *
 * <p>Kryo instances are not thread-safe; callers pool them (see {@link JobCodec}).
 */
public final class ProtocolKryo {
  /** Deepest nesting of objects any decoder accepts (Baton's messages nest a handful deep). */
  public static final int MAX_DEPTH = 32;

  private ProtocolKryo() {}

  /** A Kryo for persisted values: collections, time, the job model and {@link Epoch}. */
  public static Kryo create() {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    kryo.setMaxDepth(MAX_DEPTH);

    kryo.register(ArrayList.class, new BoundedSerializers.Collections<ArrayList<?>>(), 20);
    kryo.register(HashMap.class, new BoundedSerializers.Maps<HashMap<?, ?>>(), 21);
    kryo.register(LinkedHashMap.class, new BoundedSerializers.Maps<LinkedHashMap<?, ?>>(), 22);
    kryo.register(TreeMap.class, 23);
    kryo.register(List.of().getClass(), new BoundedSerializers.ImmutableList(), 24);
    kryo.register(List.of(1).getClass(), new BoundedSerializers.ImmutableList(), 25);
    kryo.register(Map.of().getClass(), new BoundedSerializers.ImmutableMap(), 26);
    kryo.register(Map.of(1, 1).getClass(), new BoundedSerializers.ImmutableMap(), 27);
    kryo.register(Set.of().getClass(), new BoundedSerializers.ImmutableSet(), 28);
    kryo.register(Set.of(1).getClass(), new BoundedSerializers.ImmutableSet(), 29);
    kryo.register(Instant.class, 30);
    kryo.register(byte[].class, 31);

    kryo.register(JobState.class, 50);
    kryo.register(AttemptState.class, 51);
    kryo.register(AttemptKey.class, 52);
    kryo.register(TaskSpec.class, 53);
    kryo.register(JobSpec.class, 54);
    kryo.register(AttemptRecord.class, 55);
    kryo.register(TaskRecord.class, 56);
    kryo.register(JobRecord.class, 57);
    kryo.register(Epoch.class, 58);
    kryo.register(CronSyntax.class, 60);
    kryo.register(Misfire.class, 61);
    kryo.register(Overlap.class, 62);
    kryo.register(ScheduleSpec.class, 63);
    kryo.register(ScheduleRecord.class, 64);
    kryo.register(JobPages.Header.class, 65);
    kryo.register(AlertEvent.class, 66);
    kryo.register(Webhook.class, 67);
    return kryo;
  }
}
