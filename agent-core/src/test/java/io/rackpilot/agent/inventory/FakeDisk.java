package io.rackpilot.agent.inventory;

import oshi.hardware.HWDiskStore;
import oshi.hardware.HWPartition;

import java.util.List;

record FakeDisk(String name, String model, String serial, long size)
        implements HWDiskStore
{
    @Override
    public String getName()
    {
        return name;
    }

    @Override
    public String getModel()
    {
        return model;
    }

    @Override
    public String getSerial()
    {
        return serial;
    }

    @Override
    public long getSize()
    {
        return size;
    }

    @Override
    public long getReads()
    {
        throw new UnsupportedOperationException("reads");
    }

    @Override
    public long getReadBytes()
    {
        throw new UnsupportedOperationException("read bytes");
    }

    @Override
    public long getWrites()
    {
        throw new UnsupportedOperationException("writes");
    }

    @Override
    public long getWriteBytes()
    {
        throw new UnsupportedOperationException("write bytes");
    }

    @Override
    public long getCurrentQueueLength()
    {
        throw new UnsupportedOperationException("queue length");
    }

    @Override
    public long getTransferTime()
    {
        throw new UnsupportedOperationException("transfer time");
    }

    @Override
    public List<HWPartition> getPartitions()
    {
        throw new UnsupportedOperationException("partitions");
    }

    @Override
    public long getTimeStamp()
    {
        throw new UnsupportedOperationException("time stamp");
    }

    @Override
    public boolean updateAttributes()
    {
        throw new UnsupportedOperationException("update");
    }
}
