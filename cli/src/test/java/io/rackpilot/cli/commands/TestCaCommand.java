package io.rackpilot.cli.commands;

import io.rackpilot.cli.Rackctl;
import io.rackpilot.common.tls.PemFiles;
import io.rackpilot.coordinator.Coordinator;
import io.rackpilot.coordinator.config.CoordinatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The certificates of a real install, made with {@code rackctl ca init} and
 * {@code rackctl ca issue --role ROLE NAME}, work: a coordinator started on them serves an admin
 * rackctl.
 */
class TestCaCommand
{
    @TempDir
    Path directory;

    @Test
    void initAndIssueForEveryRoleThenACoordinatorServesTheAdmin()
            throws Exception
    {
        Path ca = directory.resolve("ca");
        assertThat(rackctl("ca", "init", "--dir", ca.toString()).exitCode()).isZero();
        assertThat(Files.getPosixFilePermissions(ca.resolve("ca-key.pem"))).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        Result again = rackctl("ca", "init", "--dir", ca.toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a CA");

        Path coordinatorTls = directory.resolve("coordinator-tls");
        Path adminTls = directory.resolve("alice");
        assertThat(rackctl("ca", "issue", "--ca-dir", ca.toString(), "--role", "coordinator", "coordinator", "--dns", "localhost", "--ip", "127.0.0.1", "--out", coordinatorTls.toString()).exitCode()).isZero();
        assertThat(rackctl("ca", "issue", "--ca-dir", ca.toString(), "--role", "admin", "alice", "--out", adminTls.toString()).exitCode()).isZero();
        Result host = rackctl("ca", "issue", "--ca-dir", ca.toString(), "--role", "host", "pve", "--out", directory.resolve("pve").toString());
        assertThat(host.out()).contains("issued rackpilot://host/pve");
        Result node = rackctl("ca", "issue", "--ca-dir", ca.toString(), "--role", "node", "--id", "k8s-node1", "--out", directory.resolve("k8s-node1").toString());
        assertThat(node.exitCode()).isZero();

        X509Certificate nodeCertificate = PemFiles.readCertificate(directory.resolve("k8s-node1/node-agent.pem"));
        assertThat(nodeCertificate.getSubjectAlternativeNames()).anySatisfy(name -> assertThat(name.get(1)).isEqualTo("rackpilot://node/k8s-node1"));
        assertThat(Files.getPosixFilePermissions(directory.resolve("pve/host-agent-key.pem"))).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(directory.resolve("pve/ca.pem")).exists();

        Result both = rackctl("ca", "issue", "--ca-dir", ca.toString(), "--role", "node", "k8s-node2", "--id", "k8s-node2", "--out", directory.resolve("x").toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("give the part's id once");
        Result badRole = rackctl("ca", "issue", "--ca-dir", ca.toString(), "--role", "root", "x", "--out", directory.resolve("x").toString());
        assertThat(badRole.exitCode()).isEqualTo(2);

        CoordinatorConfig config = new CoordinatorConfig("127.0.0.1:0",
                new CoordinatorConfig.Tls(coordinatorTls.resolve("ca.pem"), coordinatorTls.resolve("coordinator.pem"), coordinatorTls.resolve("coordinator-key.pem")),
                new CoordinatorConfig.Metrics("127.0.0.1:0"), directory.resolve("state"), null, null, null, null, null);
        try (Coordinator coordinator = Coordinator.start(config)) {
            Result agents = rackctl(Map.of("RACKPILOT_COORDINATOR", "127.0.0.1:" + coordinator.grpcPort(), "RACKPILOT_TLS_DIR", adminTls.toString()), "agents");
            assertThat(agents.exitCode()).as(agents.err()).isZero();
            // A node certificate is not an admin: the Control service refuses it.
            Files.copy(directory.resolve("k8s-node1/node-agent.pem"), directory.resolve("k8s-node1/rackctl.pem"));
            Files.copy(directory.resolve("k8s-node1/node-agent-key.pem"), directory.resolve("k8s-node1/rackctl-key.pem"));
            Result asNode = rackctl(Map.of("RACKPILOT_COORDINATOR", "127.0.0.1:" + coordinator.grpcPort(), "RACKPILOT_TLS_DIR", directory.resolve("k8s-node1").toString()), "agents");
            assertThat(asNode.exitCode()).isEqualTo(1);
        }
    }

    private static Result rackctl(String... arguments)
    {
        return rackctl(Map.of(), arguments);
    }

    private static Result rackctl(Map<String, String> environment, String... arguments)
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = Rackctl.run(arguments, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), environment);
        return new Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {}
}
