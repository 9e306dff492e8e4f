package io.rackpilot.cli.commands;

import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.Rackctl;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.IssuedCertificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The homelab's own certificate authority: every rackpilot part needs a certificate naming its
 * role and id ({@code rackpilot://node/k8s-node1}). Keep the CA key off the machines that only
 * need a certificate.
 */
@Command(name = "ca", description = "Make the homelab's certificate authority and issue certificates for the coordinator, agents and rackctl.",
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class})
public final class CaCommand
        implements Callable<Integer>
{
    @ParentCommand
    private Rackctl rackctl;

    @Override
    public Integer call()
    {
        rackctl.err().println("rackctl ca: use `rackctl ca init` or `rackctl ca issue` (see rackctl ca --help)");
        return ExitCodes.BAD_INPUT;
    }

    @Command(name = "init", description = "Create a new CA: DIR/ca.pem and DIR/ca-key.pem (mode 0600).")
    public static final class Init
            implements Callable<Integer>
    {
        @ParentCommand
        private CaCommand parent;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write ca.pem and ca-key.pem.")
        private Path directory;

        @Option(names = "--name", paramLabel = "NAME", description = "The CA's common name (default: rackpilot homelab CA).")
        private String name = "rackpilot homelab CA";

        @Option(names = "--days", paramLabel = "N", description = "Validity in days (default 3650).")
        private int days = 3650;

        @Override
        public Integer call()
                throws IOException
        {
            Path certificate = directory.resolve("ca.pem");
            if (Files.exists(certificate) || Files.exists(directory.resolve("ca-key.pem"))) {
                parent.rackctl.err().println("rackctl: " + directory + " already holds a CA; refusing to overwrite it");
                return ExitCodes.BAD_INPUT;
            }
            if (days < 1) {
                parent.rackctl.err().println("rackctl: --days must be at least 1");
                return ExitCodes.BAD_INPUT;
            }
            CertificateAuthority authority = CertificateAuthority.create(name, Duration.ofDays(days));
            authority.writeTo(certificate, directory.resolve("ca-key.pem"));
            parent.rackctl.out().println("wrote " + certificate + " and " + directory.resolve("ca-key.pem"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "issue", description = "Issue a certificate for one part, e.g. `rackctl ca issue --ca-dir /root/rackpilot-ca --role node k8s-node1 --out /etc/rackpilot/tls`.")
    public static final class Issue
            implements Callable<Integer>
    {
        @ParentCommand
        private CaCommand parent;

        @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "Directory with ca.pem and ca-key.pem.")
        private Path caDirectory;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "host, node, coordinator or admin.")
        private String role;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The part's id: pve, k8s-node1, coordinator, alice (or --id).")
        private String name;

        @Option(names = "--id", paramLabel = "ID", description = "The part's id, as NAME.")
        private String id;

        @Option(names = "--dns", paramLabel = "NAME", description = "A DNS name the part is reached by (repeatable; the coordinator needs its own).")
        private List<String> dnsNames = new ArrayList<>();

        @Option(names = "--ip", paramLabel = "ADDRESS", description = "An IP address the part is reached by (repeatable).")
        private List<String> ipAddresses = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write NAME.pem, NAME-key.pem and a copy of ca.pem.")
        private Path outputDirectory;

        @Option(names = "--name", paramLabel = "NAME", description = "File base name (default: host-agent, node-agent, coordinator or rackctl by role).")
        private String baseName;

        @Option(names = "--days", paramLabel = "N", description = "Validity in days (default 825).")
        private int days = 825;

        @Override
        public Integer call()
                throws IOException
        {
            if ((name == null) == (id == null)) {
                parent.rackctl.err().println("rackctl: give the part's id once: `rackctl ca issue --role node k8s-node1` (or --id k8s-node1)");
                return ExitCodes.BAD_INPUT;
            }
            Identity identity;
            try {
                identity = new Identity(IdentityRole.parse(role.toLowerCase(Locale.ROOT)), name != null ? name : id);
            }
            catch (IllegalArgumentException e) {
                parent.rackctl.err().println("rackctl: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (days < 1) {
                parent.rackctl.err().println("rackctl: --days must be at least 1");
                return ExitCodes.BAD_INPUT;
            }
            CertificateAuthority authority;
            try {
                authority = CertificateAuthority.load(caDirectory.resolve("ca.pem"), caDirectory.resolve("ca-key.pem"));
            }
            catch (RuntimeException | IOException e) {
                parent.rackctl.err().println("rackctl: cannot load the CA from " + caDirectory + ": " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            String fileName = baseName != null ? baseName : switch (identity.role()) {
                case HOST -> "host-agent";
                case NODE -> "node-agent";
                case COORDINATOR -> "coordinator";
                case ADMIN -> "rackctl";
            };
            IssuedCertificate issued;
            try {
                issued = authority.issue(identity, dnsNames, ipAddresses, Duration.ofDays(days));
            }
            catch (IllegalArgumentException e) {
                parent.rackctl.err().println("rackctl: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            Files.createDirectories(outputDirectory);
            issued.writeTo(outputDirectory.resolve(fileName + ".pem"), outputDirectory.resolve(fileName + "-key.pem"));
            Files.copy(caDirectory.resolve("ca.pem"), outputDirectory.resolve("ca.pem"), StandardCopyOption.REPLACE_EXISTING);
            parent.rackctl.out().println("issued " + identity.toUri() + ": wrote " + outputDirectory.resolve(fileName + ".pem") + ", "
                    + outputDirectory.resolve(fileName + "-key.pem") + " and " + outputDirectory.resolve("ca.pem"));
            return ExitCodes.OK;
        }
    }
}
