package io.rackpilot.packaging;

import io.rackpilot.common.testing.SystemTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The units as installed by the packages, checked by systemd's own tools: {@code systemd-analyze
 * verify} (syntax, and that the programs they start exist) and {@code systemd-analyze security}
 * (the exposure each one is left with).
 */
final class TestSystemdUnits
{
    private static final Pattern OVERALL_EXPOSURE = Pattern.compile("Overall exposure level for (\\S+): (\\d+\\.\\d+) ");
    private static final Map<String, BigDecimal> MAXIMUM_EXPOSURE = Map.of(
            "coordinator", new BigDecimal("3.0"),
            "node-agent", new BigDecimal("3.0"),
            "host-agent", new BigDecimal("5.5"));

    private static InstalledTree tree;

    @BeforeAll
    static void unpack()
            throws IOException
    {
        SystemTools.require("dpkg-deb");
        SystemTools.require("systemd-analyze");
        tree = InstalledTree.unpack(true);
    }

    @AfterAll
    static void removeTree()
            throws IOException
    {
        if (tree != null) {
            tree.close();
        }
    }

    @Test
    void verifyFindsNothingToSayAboutTheInstalledUnits()
    {
        for (String daemon : BuiltPackages.DAEMONS) {
            ProcessResult result = verify(daemon);
            assertThat(result.exitCode()).as(result.describe()).isZero();
            assertThat(result.output() + result.errors()).as(result.describe()).isEmpty();
        }
    }

    @Test
    void verifyNoticesAMissingProgram()
            throws IOException
    {
        // proves the check above looks at the unpacked tree: without the launcher it fails
        Path launcher = tree.file("/usr/bin/rackpilot-node-agent");
        Path aside = launcher.resolveSibling("rackpilot-node-agent.aside");
        Files.move(launcher, aside);
        try {
            ProcessResult result = verify("node-agent");
            assertThat(result.exitCode()).as(result.describe()).isNotZero();
            assertThat(result.errors()).contains("/usr/bin/rackpilot-node-agent");
        }
        finally {
            Files.move(aside, launcher);
        }
    }

    @Test
    void exposureStaysWithinItsBudget()
    {
        for (String daemon : BuiltPackages.DAEMONS) {
            BigDecimal exposure = exposure(daemon);
            assertThat(exposure).as("overall exposure of rackpilot-" + daemon + ".service").isLessThanOrEqualTo(MAXIMUM_EXPOSURE.get(daemon));
        }
    }

    @Test
    void unitsAreNotifyServicesWithAWatchdog()
            throws IOException
    {
        for (String daemon : BuiltPackages.DAEMONS) {
            List<String> settings = settings(daemon);
            assertThat(settings).as(daemon).contains(
                    "Type=notify",
                    "NotifyAccess=main",
                    "WatchdogSec=30s",
                    "Restart=on-failure",
                    "RestartSec=5s",
                    "TimeoutStopSec=30s",
                    "EnvironmentFile=-/etc/default/rackpilot-" + daemon,
                    "ExecStart=/usr/bin/rackpilot-" + daemon + " --config /etc/rackpilot/" + daemon + ".yaml",
                    "After=network-online.target" + (daemon.equals("host-agent") ? " pve-cluster.service" : ""),
                    "Wants=network-online.target",
                    "WantedBy=multi-user.target",
                    "ProtectSystem=strict",
                    "NoNewPrivileges=yes",
                    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                    "SystemCallFilter=@system-service",
                    "UMask=0027");
            // the JIT needs writable and executable memory
            assertThat(settings).as(daemon).noneMatch(setting -> setting.startsWith("MemoryDenyWriteExecute="));
        }
        assertThat(settings("coordinator")).contains("User=rackpilot", "Group=rackpilot", "CapabilityBoundingSet=", "PrivateDevices=yes");
        assertThat(settings("node-agent")).contains("User=rackpilot", "Group=rackpilot", "CapabilityBoundingSet=", "DevicePolicy=closed",
                "DeviceAllow=char-nvidia-frontend rw", "RuntimeDirectory=rackpilot",
                "ExecStartPre=-+/usr/bin/install -m 0444 /sys/class/dmi/id/product_uuid /run/rackpilot/product_uuid");
        assertThat(settings("node-agent")).noneMatch(setting -> setting.startsWith("PrivateDevices="));
        assertThat(settings("host-agent")).contains("User=root", "CapabilityBoundingSet=CAP_DAC_READ_SEARCH");
    }

    @Test
    void packagedUnitsAreTheOnesInTheSourceTree()
            throws IOException
    {
        for (String daemon : BuiltPackages.DAEMONS) {
            String name = "rackpilot-" + daemon + ".service";
            assertThat(Files.readString(tree.file("/lib/systemd/system/" + name)))
                    .isEqualTo(Files.readString(BuiltPackages.source("systemd/" + name)));
        }
    }

    static BigDecimal parseOverallExposure(String output)
    {
        Matcher matcher = OVERALL_EXPOSURE.matcher(output);
        BigDecimal last = null;
        while (matcher.find()) {
            last = new BigDecimal(matcher.group(2));
        }
        if (last == null) {
            throw new AssertionError("no 'Overall exposure level' line in:\n" + output);
        }
        return last;
    }

    private static BigDecimal exposure(String daemon)
    {
        ProcessResult result = ProcessResult.run("systemd-analyze", "security", "--offline=true", "--no-pager",
                "--root=" + tree.root(), "/lib/systemd/system/rackpilot-" + daemon + ".service");
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return parseOverallExposure(result.output());
    }

    private static ProcessResult verify(String daemon)
    {
        return ProcessResult.run("systemd-analyze", "verify", "--no-pager", "--man=false",
                "--root=" + tree.root(), "/lib/systemd/system/rackpilot-" + daemon + ".service");
    }

    private static List<String> settings(String daemon)
            throws IOException
    {
        List<String> settings = new ArrayList<>();
        for (String line : Files.readAllLines(tree.file("/lib/systemd/system/rackpilot-" + daemon + ".service"))) {
            if (!line.isBlank() && !line.startsWith("#") && !line.startsWith("[")) {
                settings.add(line.strip());
            }
        }
        return settings;
    }
}
