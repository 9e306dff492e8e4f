package io.rackpilot.agent.inventory;

import oshi.hardware.GlobalMemory;
import oshi.hardware.PhysicalMemory;
import oshi.hardware.VirtualMemory;

import java.util.List;

record FakeMemory(long total, long available, long swapTotal, long swapUsed)
        implements GlobalMemory
{
    @Override
    public long getTotal()
    {
        return total;
    }

    @Override
    public long getAvailable()
    {
        return available;
    }

    @Override
    public long getPageSize()
    {
        return 4096;
    }

    @Override
    public VirtualMemory getVirtualMemory()
    {
        return new VirtualMemory()
        {
            @Override
            public long getSwapTotal()
            {
                return swapTotal;
            }

            @Override
            public long getSwapUsed()
            {
                return swapUsed;
            }

            @Override
            public long getVirtualMax()
            {
                throw new UnsupportedOperationException("virtual maximum");
            }

            @Override
            public long getVirtualInUse()
            {
                throw new UnsupportedOperationException("virtual in use");
            }

            @Override
            public long getSwapPagesIn()
            {
                throw new UnsupportedOperationException("swap pages in");
            }

            @Override
            public long getSwapPagesOut()
            {
                throw new UnsupportedOperationException("swap pages out");
            }
        };
    }

    @Override
    public List<PhysicalMemory> getPhysicalMemory()
    {
        throw new UnsupportedOperationException("physical memory");
    }
}
