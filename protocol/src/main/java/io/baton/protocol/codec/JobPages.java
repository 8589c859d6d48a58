package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
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
 *   <li>pages of {@value #TASKS_PER_PAGE} consecutive task records (spec order); a change rewrites the pages whose
 *       tasks changed.</li>
 * </ul>
 * Every part starts with the format byte except the spec chunks, whose concatenation starts with
 * {@value #SPEC_FORMAT} (or {@value #FORMAT}: a spec stored before {@link JobSpec#webhooks()} existed, read without it). A job is stored paged
 * when {@link #pagesOf} says so, decided once when it is created; smaller jobs keep {@link JobCodec}'s one record.
 * Decoding fails with {@link IllegalArgumentException} on bytes that are not a valid part (the bytes come from
 * ZooKeeper). Thread-safe.
 */
public final class JobPages {
  /**
   * The first byte of every part. {@link JobCodec}'s one-record versions count up from 1 and share the znodes of
   * {@code jobs/}: this kind starts at 64 so the two never meet.
   */
  public static final byte FORMAT = 64;
  /** The first byte of a spec's concatenated chunks since the spec has {@link JobSpec#webhooks()}. */
  public static final byte SPEC_FORMAT = 65;
  public static final int TASKS_PER_PAGE = 64;
  public static final int SPEC_CHUNK_BYTES = 256 * 1024;
  /** A job of at most {@value #TASKS_PER_PAGE} tasks whose one record is at most this big stays one record. */
  public static final int INLINE_MAX_BYTES = 64 * 1024;

  /**
   * What a paged job's own znode holds. {@code complete} is false while a creation spread over several writes is
   * under way; {@code settled} mirrors {@link JobRecord#settled()}.
   */
  public record Header(String id, String idempotencyKey, JobState state, Instant submittedAt, Instant startedAt,
      Instant finishedAt, int specChunks, int tasks, boolean settled, boolean complete, String rerunOf) {
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
          job.finishedAt(), specChunks, job.tasks().size(), job.settled(), complete, job.rerunOf());
    }
  }

  private static final Pool<Kryo> KRYOS = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return ProtocolKryo.create();
    }
  };

  /** Kryos that read a spec of format {@value #FORMAT} (without notify). */
  private static final Pool<Kryo> LEGACY_SPEC_KRYOS = new Pool<>(true, false, 2) {
    @Override
    protected Kryo create() {
      return LegacyJobSpec.register(ProtocolKryo.create());
    }
  };

  private JobPages() {}

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
    byte[] all = encode(spec, SPEC_FORMAT);
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
    byte[] bytes = all.toByteArray();
    if (bytes.length > 0 && bytes[0] == FORMAT) {
      return decode(bytes, JobSpec.class, "job spec", FORMAT, LEGACY_SPEC_KRYOS);
    }
    return decode(bytes, JobSpec.class, "job spec", SPEC_FORMAT, KRYOS);
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
    if (spec == null || spec.tasks().size() != header.tasks()) {
      throw new IllegalArgumentException("job " + header.id() + "'s spec does not have the " + header.tasks()
          + " tasks its header says");
    }
    List<TaskRecord> tasks = new ArrayList<>(header.tasks());
    for (byte[] page : pages) {
      tasks.addAll(decodePage(page));
    }
    if (tasks.size() != header.tasks()) {
      throw new IllegalArgumentException("job " + header.id() + "'s pages hold " + tasks.size() + " tasks, not "
          + header.tasks());
    }
    for (int i = 0; i < tasks.size(); i++) {
      if (tasks.get(i) == null || !tasks.get(i).taskId().equals(spec.tasks().get(i).id())) {
        throw new IllegalArgumentException("job " + header.id() + "'s task record " + i + " is not task '"
            + spec.tasks().get(i).id() + "'");
      }
    }
    return new JobRecord(header.id(), spec, header.idempotencyKey(), header.state(), header.submittedAt(),
        header.startedAt(), header.finishedAt(), tasks, header.rerunOf());
  }

  private static byte[] encode(Object value) {
    return encode(value, FORMAT);
  }

  private static byte[] encode(Object value, byte format) {
    Kryo kryo = KRYOS.obtain();
    try {
      Output output = new Output(256, -1);
      output.writeByte(format);
      kryo.writeObject(output, value);
      return output.toBytes();
    } finally {
      KRYOS.free(kryo);
    }
  }

  private static <T> T decode(byte[] bytes, Class<T> type, String what) {
    return decode(bytes, type, what, FORMAT, KRYOS);
  }

  private static <T> T decode(byte[] bytes, Class<T> type, String what, byte format, Pool<Kryo> kryos) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("empty " + what);
    }
    if (bytes[0] != format) {
      throw new IllegalArgumentException("unknown " + what + " format " + bytes[0] + " (expected " + format + ")");
    }
    Kryo kryo = kryos.obtain();
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
      kryos.free(kryo);
    }
  }
}
