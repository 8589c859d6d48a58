package io.baton.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.baton.protocol.codec.BoundedInput;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pekko serializer for every {@link WireMessage}, on a pool of Kryo instances from {@link WireKryo}. Bound in
 * this module's {@code reference.conf}. Thread-safe: Pekko calls it from many threads at once.
 *
 * <p>Inbound bytes are untrusted. They are decoded from a {@link BoundedInput} (no length prefix can allocate more
 * than the frame justifies) and checked against {@link WireLimits}; anything else fails with
 * {@link RefusedMessage}, which Artery logs and drops: the message is lost, never the process.
 */
public final class KryoSerializer extends JSerializer {
  /** Fixed serializer id; Pekko reserves 0 to 40. */
  public static final int IDENTIFIER = 4711;

  private static final Logger LOG = LoggerFactory.getLogger(KryoSerializer.class);
  private static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final ExtendedActorSystem system;
  private final AtomicLong refusals = new AtomicLong();
  private final AtomicLong refusalsLogged = new AtomicLong();
  private final AtomicLong lastRefusalLog = new AtomicLong();
  private volatile ActorRefResolver resolver;
  private final Pool<Kryo> kryos = new Pool<>(true, false, 64) {
    @Override
    protected Kryo create() {
      return WireKryo.create(WireKryo.ActorRefCodec.of(ref -> resolver().toSerializationFormat(ref), s -> resolver().resolveActorRef(s)));
    }
  };
  private final Pool<Output> outputs = new Pool<>(true, false, 64) {
    @Override
    protected Output create() {
      return new Output(4096, -1);
    }
  };

  public KryoSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    Kryo kryo = kryos.obtain();
    Output output = outputs.obtain();
    try {
      output.reset();
      kryo.writeClassAndObject(output, o);
      return output.toBytes();
    } finally {
      outputs.free(output);
      kryos.free(kryo);
    }
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = kryos.obtain();
    Object message;
    try {
      message = kryo.readClassAndObject(new BoundedInput(bytes));
    } catch (RuntimeException e) { // KryoException, or a message record's constructor refusing what it got
      throw refused(bytes, e.getMessage());
    } finally {
      kryos.free(kryo);
    }
    // Kryo decodes its null marker (or a registered non-message class) without complaint; Pekko would deliver the
    // null and its dead-letter listener would throw on it. Artery logs and drops a frame this throws for.
    if (!(message instanceof WireMessage wire)) {
      throw refused(bytes, "not a Baton wire message: " + (message == null ? "null" : message.getClass().getName()));
    }
    try {
      WireLimits.check(wire);
    } catch (IllegalArgumentException e) {
      throw refused(bytes, message.getClass().getSimpleName() + " beyond wire limits: " + e.getMessage());
    }
    return message;
  }

  /**
   * Counts the refusal, logs it (at most one line per {@link #REFUSAL_LOG_INTERVAL_NANOS}, with the count since the
   * last line) and returns the exception for Artery, which drops the frame and logs it too.
   */
  private RefusedMessage refused(byte[] bytes, String reason) {
    long count = refusals.incrementAndGet();
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if ((last == 0 || now - last >= REFUSAL_LOG_INTERVAL_NANOS) && lastRefusalLog.compareAndSet(last, now == 0 ? 1 : now)) {
      long since = count - refusalsLogged.getAndSet(count);
      LOG.warn("Dropped an inbound message of {} bytes: {} ({} refused since the last warning, {} in all)",
          bytes.length, reason, since, count);
    }
    return new RefusedMessage(reason);
  }

  /** Inbound messages refused so far by this serializer (this ActorSystem). */
  public long refusals() {
    return refusals.get();
  }

  /**
   * Bytes that are not an acceptable wire message. It carries no stack trace: Artery logs each dropped frame with
   * its exception, and a peer sending garbage should not fill the log with stacks.
   */
  public static final class RefusedMessage extends IllegalArgumentException {
    RefusedMessage(String reason) {
      super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
