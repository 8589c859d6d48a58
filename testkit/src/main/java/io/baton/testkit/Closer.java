package io.baton.testkit;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened, newest first, after each test:
 * {@code @RegisterExtension final Closer closer = new Closer();} then {@code closer.later(resource)}. A failure to
 * close one does not stop the others; the first is rethrown.
 */
public final class Closer implements AfterEachCallback {
  private final List<AutoCloseable> resources = new ArrayList<>();

  public <T extends AutoCloseable> T later(T resource) {
    resources.add(resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    resources.clear();
    if (first != null) {
      throw first;
    }
  }
}
