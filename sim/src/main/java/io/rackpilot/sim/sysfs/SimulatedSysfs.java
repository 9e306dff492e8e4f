package io.rackpilot.sim.sysfs;

import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A /sys tree for the Proxmox host of a plan, laid out as the kernel does (device directories
 * under devices/, symlinks from bus/pci/devices, driver and iommu_group links). Each planned GPU
 * comes with its HD audio function at function 1 of the same slot ({@code 0000:06:00.1},
 * {@code 10de:10fa}, class {@code 0x040300}); both are bound to vfio-pci, have a {@code reset} file,
 * {@code reset_method} "flr bus", {@code d3cold_allowed} 1 and {@code power_state} D0, and share an
 * IOMMU group of their own (numbered from 40, as the Proxmox simulator numbers them). The host-agent
 * of {@code rackctl dev} reads it through its configured sysfs root.
 *
 * <p>{@link #write} writes that default; {@link #builder} writes variants operators meet, one
 * planned card at a time: a group shared with an unrelated device, a card the kernel cannot reset,
 * a card bound to the host's nvidia driver.
 */
public final class SimulatedSysfs
{
    /**
     * The HD audio function of the simulated cards (an NVIDIA HD audio controller id).
     */
    public static final String AUDIO_VENDOR_DEVICE = "10de:10fa";
    public static final String AUDIO_CLASS = "0x040300";
    public static final String GPU_CLASS = "0x030200";
    public static final String SATA_CLASS = "0x010601";

    private static final int FIRST_IOMMU_GROUP = 40;
    private static final Pattern FUNCTION_ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]");

    private final HomelabPlan plan;
    private final Map<String, String> unrelatedPeers;
    private final Set<String> withoutReset;
    private final Set<String> boundToHost;

    private SimulatedSysfs(HomelabPlan plan, Map<String, String> unrelatedPeers, Set<String> withoutReset, Set<String> boundToHost)
    {
        this.plan = requireNonNull(plan, "plan is null");
        this.unrelatedPeers = Map.copyOf(unrelatedPeers);
        this.withoutReset = Set.copyOf(withoutReset);
        this.boundToHost = Set.copyOf(boundToHost);
    }

    /**
     * The default tree: every planned card and its audio function on vfio-pci, resettable, alone in their group.
     */
    public static Path write(HomelabPlan plan, Path root)
            throws IOException
    {
        return builder(plan).write(root);
    }

    public static Builder builder(HomelabPlan plan)
    {
        return new Builder(plan);
    }

    public static final class Builder
    {
        private final HomelabPlan plan;
        private final Map<String, String> unrelatedPeers = new TreeMap<>();
        private final Set<String> withoutReset = new TreeSet<>();
        private final Set<String> boundToHost = new TreeSet<>();

        private Builder(HomelabPlan plan)
        {
            this.plan = requireNonNull(plan, "plan is null");
        }

        /**
         * The card's IOMMU group also holds a SATA controller (class 0x010601, {@code 8086:8d02},
         * bound to ahci) at {@code peerAddress}, e.g. {@code 0000:05:00.0}: the group cannot be passed
         * through without taking the host's disks with it.
         */
        public Builder unrelatedGroupPeer(String gpuId, String peerAddress)
        {
            requireGpu(gpuId);
            requireNonNull(peerAddress, "peerAddress is null");
            if (!FUNCTION_ADDRESS.matcher(peerAddress).matches()) {
                throw new IllegalArgumentException("peerAddress: \"" + peerAddress + "\" is not a PCI address such as 0000:05:00.0");
            }
            boolean taken = plan.spec().gpus().stream().anyMatch(gpu -> slotOf(gpu.pciAddress()).equals(slotOf(peerAddress)))
                    || unrelatedPeers.containsValue(peerAddress);
            if (taken) {
                throw new IllegalArgumentException("peerAddress: " + peerAddress + " is already a planned card's slot or another peer");
            }
            unrelatedPeers.put(gpuId, peerAddress);
            return this;
        }

        /**
         * The kernel knows no way to reset the card: no {@code reset} file and an empty
         * {@code reset_method} (its audio function too); {@code d3cold_allowed} stays 1.
         */
        public Builder withoutReset(String gpuId)
        {
            requireGpu(gpuId);
            withoutReset.add(gpuId);
            return this;
        }

        /**
         * The card is bound to the host's nvidia driver (its audio function to snd_hda_intel), with
         * an empty {@code driver_override} (the kernel shows "(null)").
         */
        public Builder boundToHostDriver(String gpuId)
        {
            requireGpu(gpuId);
            boundToHost.add(gpuId);
            return this;
        }

        public Path write(Path root)
                throws IOException
        {
            return new SimulatedSysfs(plan, unrelatedPeers, withoutReset, boundToHost).writeTree(root);
        }

        private void requireGpu(String gpuId)
        {
            requireNonNull(gpuId, "gpuId is null");
            if (plan.spec().gpus().stream().noneMatch(gpu -> gpu.id().equals(gpuId))) {
                throw new IllegalArgumentException("gpuId: the plan has no GPU \"" + gpuId + "\"");
            }
        }
    }

    /**
     * The address of the card's audio function: function 1 of its slot.
     */
    public static String audioAddress(Gpu gpu)
    {
        return slotOf(gpu.pciAddress()) + ".1";
    }

    private Path writeTree(Path root)
            throws IOException
    {
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.createDirectories(root.resolve("kernel/iommu_groups"));
        writeFile(root.resolve("bus/pci/drivers_probe"), "");
        driver(root, "vfio-pci");
        List<Gpu> gpus = plan.spec().gpus();
        for (int index = 0; index < gpus.size(); index++) {
            Gpu gpu = gpus.get(index);
            int group = FIRST_IOMMU_GROUP + index;
            boolean resettable = !withoutReset.contains(gpu.id());
            boolean onHost = boundToHost.contains(gpu.id());
            String[] ids = gpu.vendorDevice().split(":");
            device(root, gpu.pciAddress(), ids[0], ids[1], GPU_CLASS, onHost ? "nvidia" : "vfio-pci", !onHost, resettable, group);
            String[] audio = AUDIO_VENDOR_DEVICE.split(":");
            device(root, audioAddress(gpu), audio[0], audio[1], AUDIO_CLASS, onHost ? "snd_hda_intel" : "vfio-pci", !onHost, resettable, group);
            String peer = unrelatedPeers.get(gpu.id());
            if (peer != null) {
                device(root, peer, "8086", "8d02", SATA_CLASS, "ahci", false, true, group);
            }
        }
        return root;
    }

    private static void device(Path root, String address, String vendor, String deviceId, String classCode, String driver, boolean overridden, boolean resettable, int group)
            throws IOException
    {
        Path device = root.resolve("devices/pci0000:00/" + address);
        Files.createDirectories(device);
        writeFile(device.resolve("vendor"), "0x" + vendor + "\n");
        writeFile(device.resolve("device"), "0x" + deviceId + "\n");
        writeFile(device.resolve("class"), classCode + "\n");
        writeFile(device.resolve("driver_override"), (overridden ? driver : "(null)") + "\n");
        writeFile(device.resolve("numa_node"), "0\n");
        writeFile(device.resolve("reset_method"), resettable ? "flr bus\n" : "\n");
        if (resettable) {
            writeFile(device.resolve("reset"), "");
        }
        writeFile(device.resolve("d3cold_allowed"), "1\n");
        writeFile(device.resolve("power_state"), "D0\n");
        Files.createSymbolicLink(root.resolve("bus/pci/devices/" + address), Path.of("../../../devices/pci0000:00/" + address));
        driver(root, driver);
        Files.createSymbolicLink(device.resolve("driver"), Path.of("../../../bus/pci/drivers/" + driver));
        Path groupDevices = root.resolve("kernel/iommu_groups/" + group + "/devices");
        Files.createDirectories(groupDevices);
        Files.createSymbolicLink(groupDevices.resolve(address), Path.of("../../../../devices/pci0000:00/" + address));
        Files.createSymbolicLink(device.resolve("iommu_group"), Path.of("../../../kernel/iommu_groups/" + group));
    }

    private static void driver(Path root, String driver)
            throws IOException
    {
        Path directory = root.resolve("bus/pci/drivers/" + driver);
        Files.createDirectories(directory);
        if (!Files.exists(directory.resolve("unbind"))) {
            writeFile(directory.resolve("unbind"), "");
        }
    }

    private static String slotOf(String address)
    {
        int dot = address.lastIndexOf('.');
        return dot < 0 ? address : address.substring(0, dot);
    }

    private static void writeFile(Path file, String content)
            throws IOException
    {
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
