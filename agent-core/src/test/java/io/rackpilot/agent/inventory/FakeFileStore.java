package io.rackpilot.agent.inventory;

import oshi.software.os.OSFileStore;

/**
 * @param usable what an unprivileged user may still write
 * @param free including the blocks reserved for root
 */
record FakeFileStore(String mount, String volume, String type, long total, long usable, long free)
        implements OSFileStore
{
    @Override
    public String getName()
    {
        return mount;
    }

    @Override
    public String getVolume()
    {
        return volume;
    }

    @Override
    public String getLabel()
    {
        return mount;
    }

    @Override
    public String getLogicalVolume()
    {
        return "";
    }

    @Override
    public String getMount()
    {
        return mount;
    }

    @Override
    public String getDescription()
    {
        return "Local Disk";
    }

    @Override
    public String getType()
    {
        return type;
    }

    @Override
    public String getOptions()
    {
        return "rw,relatime";
    }

    @Override
    public String getUUID()
    {
        return "";
    }

    @Override
    public long getFreeSpace()
    {
        return free;
    }

    @Override
    public long getUsableSpace()
    {
        return usable;
    }

    @Override
    public long getTotalSpace()
    {
        return total;
    }

    @Override
    public long getFreeInodes()
    {
        throw new UnsupportedOperationException("inodes");
    }

    @Override
    public long getTotalInodes()
    {
        throw new UnsupportedOperationException("inodes");
    }

    @Override
    public boolean updateAttributes()
    {
        throw new UnsupportedOperationException("update");
    }
}
