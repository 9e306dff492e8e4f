package io.rackpilot.agent.inventory;

import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.hardware.Display;
import oshi.hardware.GlobalMemory;
import oshi.hardware.GraphicsCard;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.hardware.PowerSource;
import oshi.hardware.Sensors;
import oshi.hardware.SoundCard;
import oshi.hardware.UsbDevice;

import java.util.List;

/**
 * A {@link HardwareAbstractionLayer} that answers what a test gave it and refuses everything else.
 */
final class FakeHardware
        implements HardwareAbstractionLayer
{
    private ComputerSystem computerSystem;
    private CentralProcessor processor;
    private GlobalMemory memory;
    private List<HWDiskStore> disks;
    private List<NetworkIF> networkInterfaces;
    private boolean includedLocalInterfaces;

    FakeHardware withComputerSystem(ComputerSystem computerSystem)
    {
        this.computerSystem = computerSystem;
        return this;
    }

    FakeHardware withProcessor(CentralProcessor processor)
    {
        this.processor = processor;
        return this;
    }

    FakeHardware withMemory(GlobalMemory memory)
    {
        this.memory = memory;
        return this;
    }

    FakeHardware withDisks(HWDiskStore... disks)
    {
        this.disks = List.of(disks);
        return this;
    }

    FakeHardware withNetworkInterfaces(NetworkIF... networkInterfaces)
    {
        this.networkInterfaces = List.of(networkInterfaces);
        return this;
    }

    boolean includedLocalInterfaces()
    {
        return includedLocalInterfaces;
    }

    @Override
    public ComputerSystem getComputerSystem()
    {
        return given(computerSystem, "computer system");
    }

    @Override
    public CentralProcessor getProcessor()
    {
        return given(processor, "processor");
    }

    @Override
    public GlobalMemory getMemory()
    {
        return given(memory, "memory");
    }

    @Override
    public List<HWDiskStore> getDiskStores()
    {
        return given(disks, "disks");
    }

    @Override
    public List<NetworkIF> getNetworkIFs()
    {
        return getNetworkIFs(false);
    }

    @Override
    public List<NetworkIF> getNetworkIFs(boolean includeLocalInterfaces)
    {
        includedLocalInterfaces = includeLocalInterfaces;
        return given(networkInterfaces, "network interfaces");
    }

    @Override
    public List<PowerSource> getPowerSources()
    {
        throw new UnsupportedOperationException("power sources");
    }

    @Override
    public List<Display> getDisplays()
    {
        throw new UnsupportedOperationException("displays");
    }

    @Override
    public Sensors getSensors()
    {
        throw new UnsupportedOperationException("sensors");
    }

    @Override
    public List<UsbDevice> getUsbDevices(boolean tree)
    {
        throw new UnsupportedOperationException("USB devices");
    }

    @Override
    public List<SoundCard> getSoundCards()
    {
        throw new UnsupportedOperationException("sound cards");
    }

    @Override
    public List<GraphicsCard> getGraphicsCards()
    {
        throw new UnsupportedOperationException("graphics cards");
    }

    private static <T> T given(T value, String what)
    {
        if (value == null) {
            throw new UnsupportedOperationException("the test gave no " + what);
        }
        return value;
    }
}
