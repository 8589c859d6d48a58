package io.baton.worker.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.wire.WireLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * An attempt's results and inputs on disk. Inputs (the dependencies' results) are written before the attempt
 * starts, one file per dependency unit at {@code <inputs>/<taskId>/<shard>} (a task run once is shard 0), with an
 * index {@code <inputs>/index.json}: {@code {"inputs":[{"task","shard","file","bytes"}]}} in task and shard order.
 * The result is the file at {@code $BATON_RESULT}, read once the attempt succeeded: UTF-8 text (JSON or not) of at
 * most {@link WireLimits#MAX_RESULT_BYTES} bytes. Stateless; blocking file I/O on the caller's thread (files of at
 * most a few hundred KiB).
 */
public final class AttemptIo {
  /** What the attempt's process (or handler) finds in its environment. */
  public static final String RESULT_VARIABLE = "BATON_RESULT";
  public static final String INPUTS_VARIABLE = "BATON_INPUTS";
  public static final String INDEX_FILE = "index.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AttemptIo() {}

  /** A result read back: the text, or why the attempt fails instead (both null: it left none). */
  public record Result(String text, String error) {
    static final Result NONE = new Result(null, null);
  }

  /** Writes {@code inputs} (keyed {@code <taskId>/<shard>}) and their index under {@code dir}, creating it. */
  public static void writeInputs(Path dir, Map<String, String> inputs) throws IOException {
    Files.createDirectories(dir);
    ObjectNode index = JSON.createObjectNode();
    ArrayNode list = index.putArray("inputs");
    TreeMap<String, String> ordered = new TreeMap<>(AttemptIo::byTaskThenShard);
    ordered.putAll(inputs);
    for (Map.Entry<String, String> e : ordered.entrySet()) {
      int slash = e.getKey().indexOf('/');
      String task = AttemptPaths.safe(e.getKey().substring(0, Math.max(0, slash)));
      String shard = AttemptPaths.safe(e.getKey().substring(slash + 1));
      byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
      Path file = dir.resolve(task).resolve(shard);
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
      ObjectNode item = list.addObject();
      item.put("task", task);
      item.put("shard", parseShard(shard));
      item.put("file", task + "/" + shard);
      item.put("bytes", bytes.length);
    }
    Files.writeString(dir.resolve(INDEX_FILE), JSON.writeValueAsString(index), StandardCharsets.UTF_8);
  }

  /** The result the attempt left at {@code file}: none, its text, or the error that fails the attempt. */
  public static Result readResult(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      return Result.NONE;
    } catch (IOException e) {
      return new Result(null, "cannot read the result ($" + RESULT_VARIABLE + "): " + e.getMessage());
    }
    if (size > WireLimits.MAX_RESULT_BYTES) {
      return new Result(null, "result of " + size + " bytes is over the cap of " + WireLimits.MAX_RESULT_BYTES
          + " bytes ($" + RESULT_VARIABLE + "): keep results small, pass bulk data by reference");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      if (bytes.length > WireLimits.MAX_RESULT_BYTES) { // it grew after the size was read
        return new Result(null, "result of " + bytes.length + " bytes is over the cap of "
            + WireLimits.MAX_RESULT_BYTES + " bytes ($" + RESULT_VARIABLE + ")");
      }
      return new Result(text, null);
    } catch (CharacterCodingException e) {
      return new Result(null, "result ($" + RESULT_VARIABLE + ") is not UTF-8 text");
    } catch (IOException e) {
      return new Result(null, "cannot read the result ($" + RESULT_VARIABLE + "): " + e.getMessage());
    }
  }

  private static int byTaskThenShard(String a, String b) {
    String ta = a.substring(0, Math.max(0, a.indexOf('/')));
    String tb = b.substring(0, Math.max(0, b.indexOf('/')));
    int byTask = ta.compareTo(tb);
    if (byTask != 0) {
      return byTask;
    }
    int byShard = Integer.compare(parseShard(a.substring(a.indexOf('/') + 1)), parseShard(b.substring(b.indexOf('/') + 1)));
    return byShard != 0 ? byShard : a.compareTo(b);
  }

  private static int parseShard(String shard) {
    try {
      return Integer.parseInt(shard);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
