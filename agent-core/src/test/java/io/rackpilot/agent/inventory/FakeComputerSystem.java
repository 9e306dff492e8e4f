package io.rackpilot.agent.inventory;

import oshi.hardware.Baseboard;
import oshi.hardware.ComputerSystem;
import oshi.hardware.Firmware;

record FakeComputerSystem(String manufacturer, String model, String hardwareUuid)
        implements ComputerSystem
{
    @Override
    public String getManufacturer()
    {
        return manufacturer;
    }

    @Override
    public String getModel()
    {
        return model;
    }

    @Override
    public String getSerialNumber()
    {
        return "unknown";
    }

    @Override
    public String getHardwareUUID()
    {
        return hardwareUuid;
    }

    @Override
    public Firmware getFirmware()
    {
        throw new UnsupportedOperationException("firmware");
    }

    @Override
    public Baseboard getBaseboard()
    {
        throw new UnsupportedOperationException("baseboard");
    }
}
