package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.CpuInfo;
import io.rackpilot.proto.v1.Inventory;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HardwareAbstractionLayer;

import static io.rackpilot.agent.inventory.OshiValues.nonNegative;
import static io.rackpilot.agent.inventory.OshiValues.text;
import static io.rackpilot.agent.inventory.OshiValues.unsignedInt;
import static java.util.Objects.requireNonNull;

/**
 * {@code cpu}: model name, vendor, sockets (physical packages), physical and logical cores, and the
 * maximum frequency (OSHI's maximum, else the frequency in the model name, else 0).
 */
public final class CpuCollector
        implements InventoryCollector
{
    private final HardwareAbstractionLayer hardware;

    public CpuCollector(HardwareAbstractionLayer hardware)
    {
        this.hardware = requireNonNull(hardware, "hardware is null");
    }

    @Override
    public String name()
    {
        return "cpu";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        CentralProcessor processor = hardware.getProcessor();
        CentralProcessor.ProcessorIdentifier identifier = processor.getProcessorIdentifier();
        long maximumFrequency = processor.getMaxFreq();
        if (maximumFrequency <= 0) {
            maximumFrequency = identifier.getVendorFreq();
        }
        inventory.setCpu(CpuInfo.newBuilder()
                .setModel(text(identifier.getName()))
                .setVendor(text(identifier.getVendor()))
                .setSockets(unsignedInt(processor.getPhysicalPackageCount()))
                .setPhysicalCores(unsignedInt(processor.getPhysicalProcessorCount()))
                .setLogicalCores(unsignedInt(processor.getLogicalProcessorCount()))
                .setMaxFrequencyHertz(nonNegative(maximumFrequency)));
    }
}
