package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.Units;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The paged persisted form of a big job (format byte {@value #FORMAT}), so that a change of a few tasks writes a few
 * small records, whatever the job's size, and no record comes near ZooKeeper's 1 MB limit:
 * <ul>
 *   <li>a {@link Header}: the job's id, key, state, timestamps, the job it reruns (if any), how many spec chunks and tasks it has, whether it is
 *       settled and whether it is complete (a creation spread over several writes is complete once its last write
 *       set the header);</li>
 *   <li>the spec, written once as the job was accepted: its Kryo bytes cut into chunks of at most
 *       {@value #SPEC_CHUNK_BYTES} bytes;</li>
 *   <li>pages of {@value #TASKS_PER_PAGE} consecutive task records (spec order, one per unit: a shard is its own
 *       record, see {@link Units}); a change rewrites the pages whose records changed.</li>
 * </ul>
 * Every part starts with the format byte except the spec chunks, whose concatenation does. A job is stored paged
 * when {@link #pagesOf} says so, decided once when it is created; smaller jobs keep {@link JobCodec}'s one record.
 * Decoding fails with {@link IllegalArgumentException} on bytes that are not a valid part (the bytes come from
 * ZooKeeper). Thread-safe.
 */
public final class JobPages {
  /**
   * The first byte of every part. {@link JobCodec}'s one-record versions count up from 1 and share the znodes of
   * {@code jobs/}: this kind starts at 64 so the two never meet. 64 was the format before shards and results, 65 the one before runAt.
   */
  public static final byte FORMAT = 66;
  /** The format before {@link JobRecord#runAt()}: the same parts, with a {@link Header} without runAt. */
  static final byte FORMAT_V65 = 65;
  /**
   * The format before shards, results and webhooks: the same parts, with TaskSpec and AttemptRecord in their older
   * shapes and JobSpec without notify.
   */
  static final byte FORMAT_V64 = 64;
  public static final int TASKS_PER_PAGE = 64;
  public static final int SPEC_CHUNK_BYTES = 256 * 1024;
  /** A job of at most {@value #TASKS_PER_PAGE} tasks whose one record is at most this big stays one record. */
  public static final int INLINE_MAX_BYTES = 64 * 1024;

  /**
   * What a paged job's own znode holds. {@code complete} is false while a creation spread over several writes is
   * under way; {@code settled} mirrors {@link JobRecord#settled()}.
   */
  public record Header(String id, String idempotencyKey, JobState state, Instant submittedAt, Instant startedAt,
      Instant finishedAt, int specChunks, int tasks, boolean settled, boolean complete, String rerunOf, Instant runAt) {
    public Header {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(submittedAt, "submittedAt");
      if (specChunks < 1 || tasks < 1) {
        throw new IllegalArgumentException("a paged job has at least one spec chunk and one task");
      }
    }

    public int pages() {
      return (tasks + TASKS_PER_PAGE - 1) / TASKS_PER_PAGE;
    }

    public static Header of(JobRecord job, int specChunks, boolean complete) {
      return new Header(job.id(), job.idempotencyKey(), job.state(), job.submittedAt(), job.startedAt(),
          job.finishedAt(), specChunks, job.tasks().size(), job.settled(), complete, job.rerunOf(), job.runAt());
    }
  }

  /** The header as formats 64 and 65 stored it (no runAt). */
  private record HeaderV65(String id, String idempotencyKey, JobState state, Instant submittedAt, Instant startedAt,
      Instant finishedAt, int specChunks, int tasks, boolean settled, boolean complete, String rerunOf) {}

  private static final class HeaderV65Reader extends com.esotericsoftware.kryo.Serializer<Header> {
    private final com.esotericsoftware.kryo.serializers.RecordSerializer<HeaderV65> v65 =
        new com.esotericsoftware.kryo.serializers.RecordSerializer<>();

    @Override
    public void write(Kryo kryo, Output output, Header header) {
      throw new UnsupportedOperationException("an old format is read only");
    }

    @Override
    public Header read(Kryo kryo, com.esotericsoftware.kryo.io.Input input, Class<? extends Header> type) {
      HeaderV65 h = v65.read(kryo, input, HeaderV65.class);
      return new Header(h.id(), h.idempotencyKey(), h.state(), h.submittedAt(), h.startedAt(), h.finishedAt(),
          h.specChunks(), h.tasks(), h.settled(), h.complete(), h.rerunOf(), null);
    }
  }

  private static final Pool<Kryo> KRYOS = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return ProtocolKryo.create();
    }
  };

  private static final Pool<Kryo> V65_KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      Kryo kryo = ProtocolKryo.create();
      kryo.register(Header.class, new HeaderV65Reader(), 65);
      return kryo;
    }
  };

  private static final Pool<Kryo> V64_KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      Kryo kryo = LegacyJobSpec.register(LegacyShapes.beforeShards(ProtocolKryo.create()));
      kryo.register(Header.class, new HeaderV65Reader(), 65);
      return kryo;
    }
  };

  private JobPages() {}

  /** Whether a stored record starting with {@code first} is a paged job's part (of this format or an older one). */
  public static boolean isPart(byte first) {
    return first == FORMAT || first == FORMAT_V65 || first == FORMAT_V64;
  }

  /** Whether the job is stored paged, given its one record's bytes (read only when it has few tasks). */
  public static boolean pagesOf(JobRecord job, java.util.function.Supplier<byte[]> inline) {
    return job.tasks().size() > TASKS_PER_PAGE || inline.get().length > INLINE_MAX_BYTES;
  }

  public static int pageCount(int tasks) {
    return (tasks + TASKS_PER_PAGE - 1) / TASKS_PER_PAGE;
  }

  public static byte[] encodeHeader(Header header) {
    return encode(header);
  }

  public static Header decodeHeader(byte[] bytes) {
    return decode(bytes, Header.class, "job header");
  }

  /** The spec's bytes cut into chunks (at least one). */
  public static List<byte[]> encodeSpec(JobSpec spec) {
    byte[] all = encode(spec);
    List<byte[]> chunks = new ArrayList<>();
    for (int from = 0; from < all.length; from += SPEC_CHUNK_BYTES) {
      chunks.add(java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + SPEC_CHUNK_BYTES)));
    }
    return chunks;
  }

  public static JobSpec decodeSpec(List<byte[]> chunks) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] chunk : chunks) {
      all.writeBytes(chunk);
    }
    return decode(all.toByteArray(), JobSpec.class, "job spec");
  }

  /** Page {@code page} of the job's task records. */
  public static byte[] encodePage(JobRecord job, int page) {
    int from = page * TASKS_PER_PAGE;
    return encode(new ArrayList<>(job.tasks().subList(from, Math.min(job.tasks().size(), from + TASKS_PER_PAGE))));
  }

  @SuppressWarnings("unchecked")
  public static List<TaskRecord> decodePage(byte[] bytes) {
    List<?> tasks = decode(bytes, ArrayList.class, "task page");
    for (Object t : tasks) {
      if (!(t instanceof TaskRecord)) {
        throw new IllegalArgumentException("a task page holds a " + (t == null ? "null" : t.getClass().getSimpleName()));
      }
    }
    return (List<TaskRecord>) tasks;
  }

  /** Whether page {@code page} differs between two versions of a job (same spec). */
  public static boolean pageChanged(JobRecord before, JobRecord after, int page) {
    int to = Math.min(after.tasks().size(), (page + 1) * TASKS_PER_PAGE);
    for (int i = page * TASKS_PER_PAGE; i < to; i++) {
      TaskRecord a = before.tasks().get(i);
      TaskRecord b = after.tasks().get(i);
      if (a != b && !a.equals(b)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The job from its parts, checked: the spec's tasks, the header's count and the pages' task ids agree, in order.
   */
  public static JobRecord assemble(Header header, List<byte[]> specChunks, List<byte[]> pages) {
    if (!header.complete()) {
      throw new IllegalArgumentException("job " + header.id() + " was never completely written");
    }
    if (specChunks.size() != header.specChunks() || pages.size() != header.pages()) {
      throw new IllegalArgumentException("job " + header.id() + " has " + specChunks.size() + " spec chunks and "
          + pages.size() + " pages, its header says " + header.specChunks() + " and " + header.pages());
    }
    JobSpec spec = decodeSpec(specChunks);
    if (spec == null || Units.count(spec) != header.tasks()) {
      throw new IllegalArgumentException("job " + header.id() + "'s spec does not have the " + header.tasks()
          + " units (tasks and shards) its header says");
    }
    List<TaskRecord> tasks = new ArrayList<>(header.tasks());
    for (byte[] page : pages) {
      tasks.addAll(decodePage(page));
    }
    if (tasks.size() != header.tasks()) {
      throw new IllegalArgumentException("job " + header.id() + "'s pages hold " + tasks.size() + " tasks, not "
          + header.tasks());
    }
    Units.mismatch(spec, tasks).ifPresent(why -> {
      throw new IllegalArgumentException("job " + header.id() + ": " + why);
    });
    return new JobRecord(header.id(), spec, header.idempotencyKey(), header.state(), header.submittedAt(),
        header.startedAt(), header.finishedAt(), tasks, header.rerunOf(), header.runAt());
  }

  private static byte[] encode(Object value) {
    Kryo kryo = KRYOS.obtain();
    try {
      Output output = new Output(256, -1);
      output.writeByte(FORMAT);
      kryo.writeObject(output, value);
      return output.toBytes();
    } finally {
      KRYOS.free(kryo);
    }
  }

  private static <T> T decode(byte[] bytes, Class<T> type, String what) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("empty " + what);
    }
    if (!isPart(bytes[0])) {
      throw new IllegalArgumentException("unknown " + what + " format " + bytes[0] + " (expected " + FORMAT_V64
          + " to " + FORMAT + ")");
    }
    Pool<Kryo> pool = bytes[0] == FORMAT ? KRYOS : bytes[0] == FORMAT_V65 ? V65_KRYOS : V64_KRYOS;
    Kryo kryo = pool.obtain();
    try {
      BoundedInput input = new BoundedInput(bytes, 1, bytes.length - 1);
      T value = kryo.readObject(input, type);
      if (input.position() != bytes.length) {
        throw new IllegalArgumentException("unreadable " + what + ": " + (bytes.length - input.position())
            + " bytes after its end");
      }
      return value;
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException bad && bad.getMessage().startsWith("unreadable")) {
        throw bad;
      }
      throw new IllegalArgumentException("unreadable " + what + ": " + e.getMessage(), e);
    } finally {
      pool.free(kryo);
    }
  }
}
