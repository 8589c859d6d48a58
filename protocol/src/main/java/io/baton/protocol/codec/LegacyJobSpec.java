package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link JobSpec} as it was stored before it had {@link JobSpec#webhooks()} (job records of format 1 to 3,
 * paged specs of format 64, schedule records of format 1). Stateless.
 */
final class LegacyJobSpec {
  private LegacyJobSpec() {}

  /** JobSpec without webhooks (its notify list); Kryo writes record components in name order, so only the set matters. */
  private record JobSpecV1(String name, Map<String, String> labels, List<TaskSpec> tasks) {}

  private static final class Reader extends Serializer<JobSpec> {
    private final RecordSerializer<JobSpecV1> v1 = new RecordSerializer<>();

    @Override
    public void write(Kryo kryo, Output output, JobSpec spec) {
      throw new UnsupportedOperationException("the job spec without notify is read only");
    }

    @Override
    public JobSpec read(Kryo kryo, Input input, Class<? extends JobSpec> type) {
      JobSpecV1 s = v1.read(kryo, input, JobSpecV1.class);
      return new JobSpec(s.name(), s.labels(), s.tasks());
    }
  }

  /** Makes {@code kryo} read JobSpec (id 54) in its form without notify. */
  static Kryo register(Kryo kryo) {
    kryo.register(JobSpec.class, new Reader(), 54);
    return kryo;
  }
}
