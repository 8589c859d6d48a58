package io.baton.protocol.codec;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A byte[]-backed Kryo {@link Input} for bytes from outside the process (Artery frames, ZooKeeper data). Kryo
 * allocates whatever length prefix it reads; this input refuses a length larger than the bytes left (every
 * element, byte or char costs at least one byte) or than {@link #MAX_LENGTH}, with a {@link KryoException}, so a
 * few crafted bytes can no longer make the decoder allocate gigabytes. Collections and maps are checked through
 * {@link #checkLength} by the serializers {@link ProtocolKryo} registers.
 *
 * <p>Only for byte arrays: the peek-and-rewind in {@link #readString} relies on the whole buffer being present.
 * Not thread-safe, like every Input.
 */
public final class BoundedInput extends Input {
  /** The largest string, array, collection or map any Baton decoder accepts, whatever the bytes left. */
  public static final int MAX_LENGTH = 4 << 20;

  public BoundedInput(byte[] bytes) {
    super(bytes);
  }

  public BoundedInput(byte[] bytes, int offset, int count) {
    super(bytes, offset, count);
  }

  /** Refuses {@code length} elements when they cannot be in the bytes left, or exceed {@link #MAX_LENGTH}. */
  public void checkLength(long length) {
    long left = (long) limit - position;
    if (length < 0 || length > MAX_LENGTH || length > left) {
      throw new KryoException("length " + length + " refused: " + left + " bytes left, at most " + MAX_LENGTH);
    }
  }

  /** For serializers: bound {@code length} when {@code input} is a BoundedInput, else only by {@link #MAX_LENGTH}. */
  static void checkLength(Input input, int length) {
    if (input instanceof BoundedInput bounded) {
      bounded.checkLength(length);
    } else if (length < 0 || length > MAX_LENGTH) {
      throw new KryoException("length " + length + " refused: at most " + MAX_LENGTH);
    }
  }

  @Override
  public byte[] readBytes(int length) {
    checkLength(length);
    return super.readBytes(length);
  }

  @Override
  public int[] readInts(int length) {
    checkLength(length);
    return super.readInts(length);
  }

  @Override
  public int[] readInts(int length, boolean optimizePositive) {
    checkLength(length);
    return super.readInts(length, optimizePositive);
  }

  @Override
  public long[] readLongs(int length) {
    checkLength(length);
    return super.readLongs(length);
  }

  @Override
  public long[] readLongs(int length, boolean optimizePositive) {
    checkLength(length);
    return super.readLongs(length, optimizePositive);
  }

  @Override
  public float[] readFloats(int length) {
    checkLength(length);
    return super.readFloats(length);
  }

  @Override
  public double[] readDoubles(int length) {
    checkLength(length);
    return super.readDoubles(length);
  }

  @Override
  public short[] readShorts(int length) {
    checkLength(length);
    return super.readShorts(length);
  }

  @Override
  public char[] readChars(int length) {
    checkLength(length);
    return super.readChars(length);
  }

  @Override
  public boolean[] readBooleans(int length) {
    checkLength(length);
    return super.readBooleans(length);
  }

  @Override
  public String readString() {
    checkUtf8Length();
    return super.readString();
  }

  @Override
  public StringBuilder readStringBuilder() {
    checkUtf8Length();
    return super.readStringBuilder();
  }

  /**
   * The UTF-8 form carries its char count + 1 (0 = null, 1 = empty) and Kryo allocates the chars before reading
   * them; peek at the count and rewind. The ASCII form has no count and grows only with the bytes present.
   */
  private void checkUtf8Length() {
    if (!readVarIntFlag()) {
      return;
    }
    int start = position;
    int countPlusOne = readVarIntFlag(true);
    position = start;
    if (countPlusOne > 1) {
      checkLength(countPlusOne - 1L);
    }
  }
}
