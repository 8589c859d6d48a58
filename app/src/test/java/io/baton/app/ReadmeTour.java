package io.baton.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * README's shell sessions as data, and the rules by which a real run matches what README shows. Pure: reading,
 * rewriting and comparing text; {@code CliE2E.theReadmeTourRunsAsShown} runs the commands.
 *
 * <p>What is a command: in README's "Quick start" and "Five-minute tour" sections, inside a fenced block opened by a
 * bare {@code ```}, a line that starts with {@code $ } (continued by the next line while it ends with {@code \}).
 * The lines after it, up to the next command or the closing fence, are its output as README shows it; lines that
 * start (after spaces) with {@code #} are README's remarks, not output, and so are blank lines at the end.
 *
 * <p>How an output matches (see {@link #mismatch}):
 * <ul>
 *   <li>whitespace is ignored: a run of spaces and line breaks in README matches any run, or none, so table columns
 *       of other widths and JSON README folds onto one line match;
 *   <li>{@code ...} in README stands for anything (README trims there);
 *   <li>job ids (16 hex digits) match any job id, consistently: README's id stands for the real id it met first
 *       ({@link #learned}); timestamps, durations ({@code 190 ms}, {@code 3.5 s}, {@code 3m04s}) and generated worker
 *       ids ({@code worker-91890a8b}) match any of their kind;
 *   <li>an HTTP response ({@code curl -si}, {@code curl -D -}) keeps only the headers README shows (README leaves out
 *       {@code Server}, {@code Date}, {@code Content-Length});
 *   <li>texts README shows that are the machine's (a worker's CPUs and memory) are named per command
 *       ({@link #ReadmeTour(Map)}) and match any number or fraction;
 *   <li>the real output has the test master's port turned into README's 8080 before it is compared.
 * </ul>
 *
 * <p>Not thread-safe: one test uses one instance.
 */
final class ReadmeTour {
  static final String README_PORT = "8080";

  /** One command README shows, at {@code line} (1-based), with the output it shows. */
  record Step(int line, String command, String expected) {
    /** The command without a trailing {@code # remark}: what the skip and wait lists name. */
    String bare() {
      return command.replaceAll("\\s+#[^'\"]*$", "").strip();
    }
  }

  private static final Pattern SECTION = Pattern.compile("^## (.*)$", Pattern.MULTILINE);
  private static final Set<String> SECTIONS = Set.of("Quick start", "Five-minute tour");
  private static final String TOKENS = String.join("|",
      "(?<time>\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?Z)",
      "(?<id>\\b[0-9a-f]{16}\\b)",
      "(?<worker>\\bworker-[0-9a-f]{8}\\b)",
      "(?<duration>\\b(?:\\d+ ms|\\d+\\.\\d s|\\d+m\\d{2}s|\\d+h\\d{2}m)\\b)",
      "(?<trimmed>\\.\\.\\.)",
      "(?<space>\\s+)");
  static final String ANY_ID = "[0-9a-f]{16}";
  private static final String ANY_TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?Z";
  private static final String ANY_WORKER = "[A-Za-z0-9_.-]+";
  private static final String ANY_DURATION = "(?:\\d+ ms|\\d+\\.\\d s|\\d+m\\d{2}s|\\d+h\\d{2}m)";
  private static final Pattern HEADER = Pattern.compile("^([A-Za-z0-9-]+): ");

  /** README's job id -> the real job id it stands for, learned from the outputs in order. */
  private final Map<String, String> learned = new LinkedHashMap<>();
  /** A command (as {@link Step#bare}) -> texts of its README output that are the machine's. */
  private final Map<String, List<String>> machineTexts;

  /** {@code machineTexts}: per command ({@link Step#bare}), texts of README's output that this machine may differ in. */
  ReadmeTour(Map<String, List<String>> machineTexts) {
    this.machineTexts = Map.copyOf(machineTexts);
  }

  /** The commands of README's Quick start and Five-minute tour, in order. */
  static List<Step> steps(String readme) {
    List<Step> steps = new ArrayList<>();
    String[] lines = readme.split("\n", -1);
    boolean inSection = false;
    boolean inBlock = false;
    boolean plainBlock = false;
    String command = null;
    int commandLine = 0;
    List<String> output = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      Matcher section = SECTION.matcher(line);
      if (!inBlock && section.matches()) {
        inSection = SECTIONS.contains(section.group(1).strip());
        continue;
      }
      if (!inSection) {
        continue;
      }
      if (line.startsWith("```")) {
        if (inBlock && command != null) {
          steps.add(step(commandLine, command, output));
          command = null;
        }
        plainBlock = !inBlock && line.strip().equals("```");
        inBlock = !inBlock;
        continue;
      }
      if (!inBlock || !plainBlock) {
        continue;
      }
      if (line.startsWith("$ ")) {
        if (command != null) {
          steps.add(step(commandLine, command, output));
        }
        commandLine = i + 1;
        StringBuilder c = new StringBuilder(line.substring(2));
        while (c.toString().endsWith("\\") && i + 1 < lines.length) {
          c.append('\n').append(lines[++i]);
        }
        command = c.toString();
        output = new ArrayList<>();
      } else if (command != null && !line.strip().startsWith("#")) {
        output.add(line);
      }
    }
    return steps;
  }

  private static Step step(int line, String command, List<String> output) {
    List<String> shown = new ArrayList<>(output);
    while (!shown.isEmpty() && shown.get(shown.size() - 1).isBlank()) {
      shown.remove(shown.size() - 1);
    }
    return new Step(line, command, String.join("\n", shown));
  }

  /**
   * The command as it is run: README's master ({@code localhost:8080}) is {@code host:port}, README's job ids the
   * real ones learned so far.
   *
   * @throws IllegalStateException when it names a README job id that no earlier output showed
   */
  String runnable(Step step, String hostAndPort) {
    String command = step.command().replace("localhost:" + README_PORT, hostAndPort)
        .replace("127.0.0.1:" + README_PORT, hostAndPort);
    Matcher ids = Pattern.compile("\\b" + ANY_ID + "\\b").matcher(command);
    StringBuilder out = new StringBuilder();
    while (ids.find()) {
      String real = learned.get(ids.group());
      if (real == null) {
        throw new IllegalStateException("README line " + step.line() + " names job " + ids.group()
            + ", which no earlier output of the tour showed");
      }
      ids.appendReplacement(out, real);
    }
    ids.appendTail(out);
    return out.toString();
  }

  /** The real job id README's {@code readmeId} stands for, once an output showed it. */
  Optional<String> real(String readmeId) {
    return Optional.ofNullable(learned.get(readmeId));
  }

  /**
   * Why {@code actual} (stdout and stderr as one stream) is not what README shows for {@code step}; empty when it
   * is. A match teaches the job ids it met ({@link #real}). {@code port}: the test master's REST port.
   */
  Optional<String> mismatch(Step step, String actual, int port) {
    String real = normalize(actual, port, headersShown(step.expected()));
    Map<String, String> groups = new HashMap<>(); // group name -> README id
    Pattern pattern = pattern(step.expected(), machineTexts.getOrDefault(step.bare(), List.of()), groups);
    Matcher m = pattern.matcher(real);
    if (!m.matches()) {
      return Optional.of("README line " + step.line() + ": $ " + step.command() + "\n--- README shows:\n"
          + step.expected() + "\n--- the run printed (headers README leaves out dropped, port as README's):\n" + real);
    }
    groups.forEach((group, readmeId) -> learned.putIfAbsent(readmeId, m.group(group)));
    return Optional.empty();
  }

  /** The regex README's output stands for (see the class comment); {@code groups} gets a group per new README id. */
  Pattern pattern(String expected, List<String> machine, Map<String, String> groups) {
    StringBuilder regex = new StringBuilder();
    Map<String, String> groupOf = new HashMap<>();
    String machineTokens = machine.stream().map(Pattern::quote).reduce((a, b) -> a + "|" + b)
        .map(alternatives -> "(?<machine>(?<![0-9./])(?:" + alternatives + ")(?![0-9./]))|").orElse("");
    Matcher t = Pattern.compile(machineTokens + TOKENS).matcher(expected);
    int at = 0;
    while (t.find()) {
      regex.append(Pattern.quote(expected.substring(at, t.start())));
      at = t.end();
      if (!machine.isEmpty() && t.group("machine") != null) {
        regex.append("[0-9.]+(?:/[0-9.]+)?");
      } else if (t.group("time") != null) {
        regex.append(ANY_TIME);
      } else if (t.group("id") != null) {
        String id = t.group("id");
        if (learned.containsKey(id)) {
          regex.append(Pattern.quote(learned.get(id)));
        } else if (groupOf.containsKey(id)) {
          regex.append("\\k<").append(groupOf.get(id)).append(">");
        } else {
          String name = "id" + groupOf.size();
          groupOf.put(id, name);
          groups.put(name, id);
          regex.append("(?<").append(name).append(">").append(ANY_ID).append(")");
        }
      } else if (t.group("worker") != null) {
        regex.append(ANY_WORKER);
      } else if (t.group("duration") != null) {
        regex.append(ANY_DURATION);
      } else if (t.group("trimmed") != null) {
        regex.append("[\\s\\S]*?");
      } else {
        regex.append("\\s*");
      }
    }
    regex.append(Pattern.quote(expected.substring(at)));
    return Pattern.compile("\\s*" + regex + "\\s*");
  }

  /** The names of the HTTP headers README shows (lines {@code Name: value} after a {@code HTTP/} status line). */
  static Set<String> headersShown(String expected) {
    Set<String> names = new LinkedHashSet<>();
    boolean inHeaders = false;
    for (String line : expected.split("\n")) {
      if (line.startsWith("HTTP/")) {
        inHeaders = true;
      } else if (line.isBlank()) {
        inHeaders = false;
      } else if (inHeaders) {
        Matcher h = HEADER.matcher(line);
        if (h.find()) {
          names.add(h.group(1).toLowerCase(java.util.Locale.ROOT));
        } else {
          inHeaders = false;
        }
      }
    }
    return names;
  }

  /** CRLF as LF, headers README does not show dropped, the test master's port as README's. */
  static String normalize(String actual, int port, Set<String> headersShown) {
    StringBuilder out = new StringBuilder();
    boolean inHeaders = false;
    for (String line : actual.replace("\r\n", "\n").split("\n", -1)) {
      if (line.startsWith("HTTP/")) {
        inHeaders = true;
      } else if (line.isEmpty()) {
        inHeaders = false;
      } else if (inHeaders) {
        Matcher h = HEADER.matcher(line);
        if (h.find() && !headersShown.contains(h.group(1).toLowerCase(java.util.Locale.ROOT))) {
          continue;
        }
      }
      out.append(line).append('\n');
    }
    return out.toString().replace("127.0.0.1:" + port, "127.0.0.1:" + README_PORT)
        .replace("localhost:" + port, "localhost:" + README_PORT);
  }
}
