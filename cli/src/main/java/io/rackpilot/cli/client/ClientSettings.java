package io.rackpilot.cli.client;

import io.rackpilot.common.net.HostAndPort;
import io.rackpilot.common.tls.TlsFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where rackctl finds the coordinator and its client certificate.
 *
 * <p>Address: {@code --coordinator HOST:PORT}, else {@code RACKPILOT_COORDINATOR}, else
 * {@code localhost:7450}. Certificate directory (holding {@code ca.pem}, {@code rackctl.pem},
 * {@code rackctl-key.pem}): {@code --tls-dir DIR}, else {@code RACKPILOT_TLS_DIR}, else
 * {@code $XDG_CONFIG_HOME/rackpilot} (default {@code ~/.config/rackpilot}) when it holds a
 * {@code ca.pem}, else the {@code dev} directory below it that {@code rackctl dev} writes.
 */
public record ClientSettings(HostAndPort coordinator, TlsFiles tlsFiles)
{
    public static final int DEFAULT_PORT = 7450;
    public static final String CERTIFICATE_NAME = "rackctl";

    public ClientSettings
    {
        requireNonNull(coordinator, "coordinator is null");
        requireNonNull(tlsFiles, "tlsFiles is null");
    }

    public static ClientSettings resolve(Optional<String> coordinatorFlag, Optional<Path> tlsDirectoryFlag, Map<String, String> environment)
    {
        String address = coordinatorFlag.or(() -> Optional.ofNullable(environment.get("RACKPILOT_COORDINATOR")).filter(value -> !value.isBlank()))
                .orElse("localhost:" + DEFAULT_PORT);
        HostAndPort coordinator;
        try {
            coordinator = HostAndPort.parse(address, DEFAULT_PORT);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--coordinator: " + e.getMessage());
        }
        Path directory = tlsDirectoryFlag
                .or(() -> Optional.ofNullable(environment.get("RACKPILOT_TLS_DIR")).filter(value -> !value.isBlank()).map(Path::of))
                .orElseGet(() -> defaultDirectory(environment));
        TlsFiles files = TlsFiles.inDirectory(directory, CERTIFICATE_NAME);
        for (Path file : new Path[] {files.caCertificate(), files.certificate(), files.privateKey()}) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("no client certificate: " + file + " is missing or unreadable. Pass --tls-dir DIR or set RACKPILOT_TLS_DIR "
                        + "to a directory with ca.pem, rackctl.pem and rackctl-key.pem (`rackctl dev` writes one to " + devDirectory(environment) + ")");
            }
        }
        return new ClientSettings(coordinator, files);
    }

    public static Path configDirectory(Map<String, String> environment)
    {
        String xdg = environment.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "rackpilot");
        }
        return Path.of(environment.getOrDefault("HOME", System.getProperty("user.home")), ".config", "rackpilot");
    }

    public static Path devDirectory(Map<String, String> environment)
    {
        return configDirectory(environment).resolve("dev");
    }

    private static Path defaultDirectory(Map<String, String> environment)
    {
        Path configured = configDirectory(environment);
        if (Files.exists(configured.resolve("ca.pem"))) {
            return configured;
        }
        return devDirectory(environment);
    }
}
