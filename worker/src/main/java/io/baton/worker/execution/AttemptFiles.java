package io.baton.worker.execution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Deletes what a worker keeps of finished jobs: their logs ({@code <dataDir>/logs/<job>/}) and work directories
 * ({@code <dataDir>/work/<job>/}), when the leader says a job was deleted ({@link #forget}) and by the worker's own
 * limits ({@link #sweep}: an age since the job's files last changed, and a cap on the bytes they take, oldest first).
 * A job in {@code keep} (an attempt of it still runs, or its report is not acknowledged yet) is never touched.
 * Blocking file I/O: call it off the actor thread. Stateless; safe from any thread.
 */
public final class AttemptFiles {
  private final Path logs;
  private final Path work;

  public AttemptFiles(AttemptPaths paths) {
    this.logs = paths.dataDir().resolve("logs");
    this.work = paths.dataDir().resolve("work");
  }

  /** What a sweep found and did. */
  public record Swept(int jobsDeleted, long bytesDeleted, long bytesKept) {}

  /** The job ids (as the worker names them on disk) of {@code jobIds}, for {@code keep}. */
  public static Set<String> onDisk(Collection<String> jobIds) {
    return jobIds.stream().map(AttemptPaths::safe).collect(Collectors.toSet());
  }

  /** Deletes the files of {@code jobIds} except those in {@code keep} (on-disk names); returns how many had files. */
  public int forget(Collection<String> jobIds, Set<String> keep) {
    int deleted = 0;
    for (String id : jobIds) {
      String name = AttemptPaths.safe(id);
      if (!keep.contains(name) && (deleteTree(logs.resolve(name)) | deleteTree(work.resolve(name)))) {
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * Deletes the files of every job not in {@code keep} whose files last changed before {@code now - maxAge}, then
   * of the oldest others while all jobs' files take more than {@code maxBytes}.
   */
  public Swept sweep(Instant now, Duration maxAge, long maxBytes, Set<String> keep) {
    Map<String, Usage> jobs = new TreeMap<>();
    usage(logs, jobs);
    usage(work, jobs);
    long total = jobs.values().stream().mapToLong(u -> u.bytes).sum();
    List<Map.Entry<String, Usage>> oldestFirst = new ArrayList<>(jobs.entrySet());
    oldestFirst.sort(Comparator.comparing((Map.Entry<String, Usage> e) -> e.getValue().newest)
        .thenComparing(Map.Entry::getKey));
    Instant cutoff = now.minus(maxAge);
    int deleted = 0;
    long freed = 0;
    for (Map.Entry<String, Usage> e : oldestFirst) {
      if (keep.contains(e.getKey())) {
        continue;
      }
      if (e.getValue().newest.isBefore(cutoff) || total - freed > maxBytes) {
        deleteTree(logs.resolve(e.getKey()));
        deleteTree(work.resolve(e.getKey()));
        freed += e.getValue().bytes;
        deleted++;
      }
    }
    return new Swept(deleted, freed, total - freed);
  }

  /** Bytes and newest modification time of one job's files. */
  private static final class Usage {
    long bytes;
    Instant newest = Instant.EPOCH;
  }

  private static void usage(Path root, Map<String, Usage> jobs) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path dir : dirs) {
        Usage u = jobs.computeIfAbsent(dir.getFileName().toString(), k -> new Usage());
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            u.bytes += attrs.size();
            return newer(attrs);
          }

          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return newer(attrs);
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }

          private FileVisitResult newer(BasicFileAttributes attrs) {
            Instant t = attrs.lastModifiedTime().toInstant();
            if (t.isAfter(u.newest)) {
              u.newest = t;
            }
            return FileVisitResult.CONTINUE;
          }
        });
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root, e);
    }
  }

  /**
   * Deletes {@code dir} and everything under it (symbolic links themselves, never what they point to). True when it
   * existed. What cannot be deleted (a task made a directory read-only) stays, for the next sweep.
   */
  private static boolean deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
      return true;
    } catch (IOException e) {
      return true;
    }
  }
}
