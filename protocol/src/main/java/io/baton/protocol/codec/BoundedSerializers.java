package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kryo's collection and map serializers, with the decoded length checked by {@link BoundedInput#checkLength}
 * before anything is allocated. Each writes exactly the bytes of the Kryo serializer it replaces (the persisted
 * format depends on it; {@code JobCodecTest.formatIsStable} pins it): the mutable ones are Kryo's own with only
 * {@code create} overridden, the immutable ones copy Kryo's final {@code ImmutableCollectionsSerializers}
 * (elements, keys and values never null).
 */
final class BoundedSerializers {
  private BoundedSerializers() {}

  /** For ArrayList (and any collection Kryo's CollectionSerializer handles). */
  @SuppressWarnings("rawtypes")
  static final class Collections<T extends Collection> extends CollectionSerializer<T> {
    @Override
    protected T create(Kryo kryo, Input input, Class<? extends T> type, int size) {
      BoundedInput.checkLength(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  /** For HashMap and LinkedHashMap (and any map Kryo's MapSerializer handles). */
  @SuppressWarnings("rawtypes")
  static final class Maps<T extends Map> extends MapSerializer<T> {
    @Override
    protected T create(Kryo kryo, Input input, Class<? extends T> type, int size) {
      BoundedInput.checkLength(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  /** For {@code List.of(...)}: read into an ArrayList, then copied to an immutable list. */
  static final class ImmutableList extends CollectionSerializer<List<Object>> {
    ImmutableList() {
      setElementsCanBeNull(false);
    }

    @Override
    protected List<Object> create(Kryo kryo, Input input, Class<? extends List<Object>> type, int size) {
      BoundedInput.checkLength(input, size);
      return new ArrayList<>(size);
    }

    @Override
    public List<Object> read(Kryo kryo, Input input, Class<? extends List<Object>> type) {
      List<Object> list = super.read(kryo, input, type);
      return list == null ? null : List.of(list.toArray());
    }
  }

  /** For {@code Set.of(...)}. */
  static final class ImmutableSet extends CollectionSerializer<Set<Object>> {
    ImmutableSet() {
      setElementsCanBeNull(false);
    }

    @Override
    protected Set<Object> create(Kryo kryo, Input input, Class<? extends Set<Object>> type, int size) {
      BoundedInput.checkLength(input, size);
      return new HashSet<>();
    }

    @Override
    public Set<Object> read(Kryo kryo, Input input, Class<? extends Set<Object>> type) {
      Set<Object> set = super.read(kryo, input, type);
      return set == null ? null : Set.of(set.toArray());
    }
  }

  /** For {@code Map.of(...)}. */
  static final class ImmutableMap extends MapSerializer<Map<Object, Object>> {
    ImmutableMap() {
      setKeysCanBeNull(false);
      setValuesCanBeNull(false);
    }

    @Override
    protected Map<Object, Object> create(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type, int size) {
      BoundedInput.checkLength(input, size);
      return new HashMap<>();
    }

    @Override
    public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
      Map<Object, Object> map = super.read(kryo, input, type);
      return map == null ? null : Map.copyOf(map);
    }
  }
}
