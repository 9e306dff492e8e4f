package io.rackpilot.agent.inventory;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.proto.v1.FileSystem;
import io.rackpilot.proto.v1.Inventory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OSHI on the machine the tests run on, checked against what the kernel says through /proc and /sys.
 * Written to pass both here (a VM without DMI) and on a machine that has DMI.
 */
class TestInventoryOnThisMachine
{
    private static final Path SYS = Path.of("/sys");
    private static final Path PROC = Path.of("/proc");
    private static final Pattern SPACE = Pattern.compile(" ");
    private static final List<String> observed = new ArrayList<>();

    @TempDir
    static Path temporary;

    private static SystemInfo systemInfo;
    private static SystemUuidSource uuidSource;
    private static Inventory inventory;

    @BeforeAll
    static void collectOnce()
    {
        systemInfo = new SystemInfo();
        // the real /sys, but no override file, whatever this machine has under /run
        uuidSource = new SystemUuidSource(SYS, Optional.of(temporary.resolve("no-override/product_uuid")));
        InventoryCollection collection = new InventoryCollection(
                InventoryCollectors.standard(systemInfo, uuidSource),
                (collector, success, durationNanos) -> observed.add(collector + " " + success));
        long start = System.nanoTime();
        inventory = collection.collect();
        long firstNanos = System.nanoTime() - start;
        start = System.nanoTime();
        collection.collect();
        long secondNanos = System.nanoTime() - start;
        System.out.printf(Locale.ROOT, "first collection %.1f ms, second %.1f ms%n%s%n", firstNanos / 1e6, secondNanos / 1e6, inventory);
    }

    @Test
    void everyCollectorWorksHereAndEverySectionIsSet()
    {
        assertThat(observed).startsWith(
                "system true", "cpu true", "memory true", "disks true", "file_systems true", "network_interfaces true", "operating_system true");
        assertThat(inventory.getAllFields().keySet().stream().map(FieldDescriptor::getName))
                .containsExactly("system", "cpu", "memory", "disks", "file_systems", "network_interfaces", "operating_system");
    }

    @Test
    void eachCollectorSetsExactlyTheSectionItIsNamedAfter()
            throws Exception
    {
        for (InventoryCollector collector : InventoryCollectors.standard(systemInfo, uuidSource)) {
            Inventory.Builder sections = Inventory.newBuilder();
            collector.collect(sections);
            assertThat(sections.getAllFields().keySet().stream().map(FieldDescriptor::getName)).as(collector.name()).containsExactly(collector.name());
        }
    }

    /**
     * The kernel's list of online CPUs, {@code /sys/devices/system/cpu/online} ("0-3,8-11"), is what
     * a logical core count means; {@code /proc/cpuinfo} has one {@code processor} line per online
     * CPU on x86 and arm64 alike, so both must agree. (The JVM's availableProcessors is no
     * reference: it follows cgroup quotas and CPU affinity.)
     */
    @Test
    void logicalCoresAreTheOnlineCpusOfTheKernel()
            throws IOException
    {
        int online = countCpuList(Files.readString(SYS.resolve("devices/system/cpu/online")).strip());
        long processorLines = Files.readAllLines(PROC.resolve("cpuinfo")).stream().filter(line -> line.matches("processor\\s*:.*")).count();

        assertThat(processorLines).isEqualTo(online);
        assertThat(inventory.getCpu().getLogicalCores()).isEqualTo(online);
        assertThat(inventory.getCpu().getPhysicalCores()).isBetween(1, online);
        assertThat(inventory.getCpu().getSockets()).isBetween(1, inventory.getCpu().getPhysicalCores());
    }

    @Test
    void memoryTotalIsMemTotalOfProcMeminfo()
            throws IOException
    {
        long memTotalKibibytes = Files.readAllLines(PROC.resolve("meminfo")).stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .findFirst()
                .orElseThrow();

        assertThat(inventory.getMemory().getTotalBytes()).isEqualTo(memTotalKibibytes * 1024);
        assertThat(inventory.getMemory().getAvailableBytes()).isBetween(1L, memTotalKibibytes * 1024);
    }

    @Test
    void hostnameKernelAndBootTimeAreTheKernelsOwn()
            throws IOException
    {
        assertThat(inventory.getSystem().getHostname()).isEqualTo(Files.readString(PROC.resolve("sys/kernel/hostname")).strip());
        assertThat(inventory.getOperatingSystem().getKernel()).isEqualTo(Files.readString(PROC.resolve("sys/kernel/osrelease")).strip());
        assertThat(inventory.getOperatingSystem().getFamily()).isNotEmpty();
        long bootTime = Files.readAllLines(PROC.resolve("stat")).stream()
                .filter(line -> line.startsWith("btime "))
                .map(line -> Long.parseLong(line.substring("btime ".length()).strip()))
                .findFirst()
                .orElseThrow();
        assertThat(inventory.getSystem().getBootTime().getSeconds()).isBetween(bootTime - 2, bootTime + 2);
    }

    /**
     * The JDK's list of interfaces (which OSHI uses) minus loopback: when the machine has one, the
     * inventory has it, with its addresses. Collected again right here, so that interfaces that come
     * and go (a Kubernetes node's veths) do not make the two lists differ.
     */
    @Test
    void networkInterfacesAreTheNonLoopbackInterfacesOfThisMachine()
            throws SocketException
    {
        Set<String> expected = new HashSet<>();
        for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!networkInterface.isLoopback()) {
                expected.add(networkInterface.getName());
            }
        }
        Inventory.Builder sections = Inventory.newBuilder();
        new NetworkInterfaceCollector(systemInfo.getHardware()).collect(sections);
        List<io.rackpilot.proto.v1.NetworkInterface> reported = sections.getNetworkInterfaces().getItemsList();

        assertThat(reported.stream().map(io.rackpilot.proto.v1.NetworkInterface::getName).collect(Collectors.toSet())).isEqualTo(expected);
        for (io.rackpilot.proto.v1.NetworkInterface reportedInterface : reported) {
            NetworkInterface jdkInterface = NetworkInterface.getByName(reportedInterface.getName());
            if (jdkInterface == null) {
                continue; // gone since
            }
            Set<String> jdkIpv4 = jdkInterface.inetAddresses()
                    .filter(address -> address instanceof Inet4Address)
                    .map(InetAddress::getHostAddress)
                    .collect(Collectors.toSet());
            assertThat(reportedInterface.getIpv4AddressesList()).as(reportedInterface.getName()).containsExactlyInAnyOrderElementsOf(jdkIpv4);
            assertThat(reportedInterface.getMtu()).as(reportedInterface.getName()).isEqualTo(jdkInterface.getMTU());
        }
    }

    /**
     * Every reported file system is a mount of /proc/self/mounts that the rule keeps, and when the
     * root file system is one the rule keeps, it is reported.
     */
    @Test
    void fileSystemsAreLocalMountsOfThisMachine()
            throws IOException
    {
        List<String[]> mounts = Files.readAllLines(PROC.resolve("self/mounts")).stream().map(SPACE::split).toList();
        Set<String> localMounts = mounts.stream()
                .filter(fields -> LocalFileSystems.isLocal(unescape(fields[1]), fields[2]))
                .map(fields -> unescape(fields[1]))
                .collect(Collectors.toSet());
        Set<String> reported = inventory.getFileSystems().getItemsList().stream().map(FileSystem::getMount).collect(Collectors.toSet());

        assertThat(localMounts).containsAll(reported);
        if (localMounts.contains("/")) {
            assertThat(reported).contains("/");
        }
        for (FileSystem fileSystem : inventory.getFileSystems().getItemsList()) {
            assertThat(fileSystem.getFreeBytes()).as(fileSystem.getMount()).isLessThanOrEqualTo(fileSystem.getTotalBytes());
        }
    }

    /**
     * Here (no DMI) the UUID is unknown with a reason; a machine with DMI gives the UUID when the
     * tests may read product_uuid (root), and says "root only" when they may not.
     */
    @Test
    void systemUuidIsTheDmiUuidOrUnknownWithAReason()
    {
        Path dmi = SYS.resolve("class/dmi/id");
        Path productUuid = dmi.resolve("product_uuid");
        io.rackpilot.proto.v1.SystemInfo system = inventory.getSystem();

        if (!Files.isDirectory(dmi)) {
            assertThat(system.getUuid()).isEmpty();
            assertThat(system.getUuidSource()).startsWith("unknown: no DMI on this machine");
            return;
        }
        Optional<String> contents = readIfAllowed(productUuid);
        if (contents.isEmpty()) {
            assertThat(system.getUuid()).isEmpty();
            assertThat(system.getUuidSource()).startsWith("unknown: ");
            if (Files.exists(productUuid)) {
                assertThat(system.getUuidSource()).contains("not readable (root only)");
            }
            return;
        }
        String expected = contents.get().strip().toLowerCase(Locale.ROOT);
        if (expected.matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}") && !expected.matches("[0-]+|[f-]+")) {
            assertThat(system.getUuid()).isEqualTo(expected);
            assertThat(system.getUuidSource()).isEqualTo("dmi");
        }
        else {
            assertThat(system.getUuid()).isEmpty();
            assertThat(system.getUuidSource()).startsWith("unknown: " + productUuid);
        }
    }

    private static Optional<String> readIfAllowed(Path file)
    {
        try {
            return Optional.of(Files.readString(file));
        }
        catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * /proc/self/mounts writes space, tab, newline and backslash in a path as octal escapes.
     */
    private static String unescape(String field)
    {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /**
     * "0-3,8,10-11" -> 7
     */
    private static int countCpuList(String list)
    {
        int count = 0;
        for (String range : list.split(",")) {
            String[] bounds = range.split("-");
            count += bounds.length == 1 ? 1 : Integer.parseInt(bounds[1]) - Integer.parseInt(bounds[0]) + 1;
        }
        return count;
    }
}
