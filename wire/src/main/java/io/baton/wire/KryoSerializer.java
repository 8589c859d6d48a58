package io.baton.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for every {@link WireMessage}, on a pool of Kryo instances from {@link WireKryo}. Bound in
 * this module's {@code reference.conf}. Thread-safe: Pekko calls it from many threads at once.
 */
public final class KryoSerializer extends JSerializer {
  /** Fixed serializer id; Pekko reserves 0 to 40. */
  public static final int IDENTIFIER = 4711;

  private final ExtendedActorSystem system;
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
      message = kryo.readClassAndObject(new Input(bytes));
    } finally {
      kryos.free(kryo);
    }
    // Kryo decodes its null marker (or a registered non-message class) without complaint; Pekko would deliver the
    // null and its dead-letter listener would throw on it. Artery logs and drops a frame this throws for.
    if (!(message instanceof WireMessage)) {
      throw new IllegalArgumentException("not a Baton wire message: "
          + (message == null ? "null" : message.getClass().getName()));
    }
    return message;
  }
}
