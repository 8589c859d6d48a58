package io.baton.app;

import io.baton.app.security.CertificateAuthority;
import io.baton.app.security.NodeRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code baton certs}: the cluster's certificate authority and its nodes' certificates for Artery's mutual TLS.
 * A three-master cluster: {@code certs init}, then {@code certs master --name m1 --host ...} for m1..m3 and
 * {@code certs worker --id w1 --host ...} per worker; copy each node's directory to it and pass it as
 * {@code --tls-dir}. The CA's directory ({@code <dir>/ca}) holds its private key: keep it off the nodes.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
    description = "Make the cluster CA and node certificates for Artery's mutual TLS (files written 0600).",
    subcommands = {CertsCommand.Init.class, CertsCommand.Master.class, CertsCommand.Worker.class})
final class CertsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Create the cluster CA (key and certificate) in <dir>/ca.")
  static final class Init implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "the cluster's certificate directory")
    Path dir;

    @Option(names = "--cluster-id", defaultValue = "default", description = "named in the CA certificate (default ${DEFAULT-VALUE})")
    String clusterId;

    @Override
    public Integer call() throws Exception {
      Path caDir = dir.resolve("ca");
      if (CertificateAuthority.existsIn(caDir)) {
        throw new IllegalArgumentException("a CA already exists in " + caDir + "; remove it first to make a new one "
            + "(every node certificate must then be made again)");
      }
      CertificateAuthority.create(clusterId).save(caDir);
      System.out.println("CA created in " + caDir + " (its private key: keep this directory off the nodes)");
      return 0;
    }
  }

  /** What node commands share: the CA directory, the hosts, where to write. */
  abstract static class NodeCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "the cluster's certificate directory (with ca/ from certs init)")
    Path dir;

    @Option(names = "--host", required = true, split = ",",
        description = "host names or IP addresses the node is reached at (its --host); repeatable or comma-separated")
    List<String> hosts;

    @Option(names = "--out", description = "the node's TLS directory to write (default <dir>/<name or id>)")
    Path out;

    abstract NodeRole role();

    @Override
    public Integer call() throws Exception {
      NodeRole role = role();
      Path caDir = dir.resolve("ca");
      if (!CertificateAuthority.existsIn(caDir)) {
        throw new IllegalArgumentException("no CA in " + caDir + ": run 'baton certs init --dir " + dir + "' first");
      }
      Path nodeDir = out != null ? out : dir.resolve(role.id());
      if (Files.exists(nodeDir.resolve("node.p12"))) {
        throw new IllegalArgumentException(nodeDir + " already holds a node certificate; remove it to make a new one");
      }
      List<String> names = new ArrayList<>(hosts);
      CertificateAuthority.load(caDir).writeNode(nodeDir, role, names);
      System.out.println(role + ": " + nodeDir + " (pass it as --tls-dir " + nodeDir + ")");
      return 0;
    }
  }

  @Command(name = "master", mixinStandardHelpOptions = true, description = "Issue a master's certificate.")
  static final class Master extends NodeCommand {
    @Option(names = "--name", required = true, description = "the master's name (m1, m2, ...)")
    String name;

    @Override
    NodeRole role() {
      return NodeRole.master(name);
    }
  }

  @Command(name = "worker", mixinStandardHelpOptions = true,
      description = "Issue a worker's certificate; the worker id is bound to it (the worker runs as this id).")
  static final class Worker extends NodeCommand {
    @Option(names = "--id", required = true, description = "the worker id")
    String id;

    @Override
    NodeRole role() {
      return NodeRole.worker(id);
    }
  }
}
