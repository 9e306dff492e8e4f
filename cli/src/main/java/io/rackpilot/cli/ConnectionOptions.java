package io.rackpilot.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.nio.file.Path;
import java.util.Optional;

/**
 * rackctl's global options: where the coordinator is and where the client certificate lies. They
 * are declared once, on rackctl itself, and every command takes them, before or after its name
 * ({@code rackctl --coordinator pve:7450 agents} as {@code rackctl agents --coordinator pve:7450}).
 */
public final class ConnectionOptions
{
    @Option(names = "--coordinator", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            description = "Coordinator address (default: $RACKPILOT_COORDINATOR, else localhost:7450).")
    private String coordinator;

    @Option(names = "--tls-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Directory with ca.pem, rackctl.pem and rackctl-key.pem (default: $RACKPILOT_TLS_DIR, else ~/.config/rackpilot, else the one rackctl dev writes).")
    private Path tlsDirectory;

    public Optional<String> coordinator()
    {
        return Optional.ofNullable(coordinator);
    }

    public Optional<Path> tlsDirectory()
    {
        return Optional.ofNullable(tlsDirectory);
    }
}
