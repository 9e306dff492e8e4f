package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.MemoryInfo;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.VirtualMemory;

import static io.rackpilot.agent.inventory.OshiValues.nonNegative;
import static java.util.Objects.requireNonNull;

/**
 * {@code memory}: total and available memory (Linux: {@code MemTotal} and {@code MemAvailable}),
 * swap total and used. Available and swap used move all the time, so this section changes at almost
 * every collection.
 */
public final class MemoryCollector
        implements InventoryCollector
{
    private final HardwareAbstractionLayer hardware;

    public MemoryCollector(HardwareAbstractionLayer hardware)
    {
        this.hardware = requireNonNull(hardware, "hardware is null");
    }

    @Override
    public String name()
    {
        return "memory";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        GlobalMemory memory = hardware.getMemory();
        VirtualMemory virtualMemory = memory.getVirtualMemory();
        inventory.setMemory(MemoryInfo.newBuilder()
                .setTotalBytes(nonNegative(memory.getTotal()))
                .setAvailableBytes(nonNegative(memory.getAvailable()))
                .setSwapTotalBytes(nonNegative(virtualMemory.getSwapTotal()))
                .setSwapUsedBytes(nonNegative(virtualMemory.getSwapUsed())));
    }
}
