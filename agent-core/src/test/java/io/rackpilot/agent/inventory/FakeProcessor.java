package io.rackpilot.agent.inventory;

import oshi.hardware.CentralProcessor;

import java.util.List;

record FakeProcessor(ProcessorIdentifier identifier, long maximumFrequency, int packages, int physicalCores, int logicalCores)
        implements CentralProcessor
{
    @Override
    public ProcessorIdentifier getProcessorIdentifier()
    {
        return identifier;
    }

    @Override
    public long getMaxFreq()
    {
        return maximumFrequency;
    }

    @Override
    public int getLogicalProcessorCount()
    {
        return logicalCores;
    }

    @Override
    public int getPhysicalProcessorCount()
    {
        return physicalCores;
    }

    @Override
    public int getPhysicalPackageCount()
    {
        return packages;
    }

    @Override
    public long[] getCurrentFreq()
    {
        throw new UnsupportedOperationException("current frequency");
    }

    @Override
    public List<LogicalProcessor> getLogicalProcessors()
    {
        throw new UnsupportedOperationException("logical processors");
    }

    @Override
    public List<PhysicalProcessor> getPhysicalProcessors()
    {
        throw new UnsupportedOperationException("physical processors");
    }

    @Override
    public List<ProcessorCache> getProcessorCaches()
    {
        throw new UnsupportedOperationException("caches");
    }

    @Override
    public List<String> getFeatureFlags()
    {
        throw new UnsupportedOperationException("feature flags");
    }

    @Override
    public double getSystemCpuLoadBetweenTicks(long[] oldTicks)
    {
        throw new UnsupportedOperationException("load");
    }

    @Override
    public double getSystemCpuLoadBetweenTicks(long[] oldTicks, long[] newTicks)
    {
        throw new UnsupportedOperationException("load");
    }

    @Override
    public long[] getSystemCpuLoadTicks()
    {
        throw new UnsupportedOperationException("load");
    }

    @Override
    public double[] getSystemLoadAverage(int elements)
    {
        throw new UnsupportedOperationException("load");
    }

    @Override
    public double[] getProcessorCpuLoadBetweenTicks(long[][] oldTicks)
    {
        throw new UnsupportedOperationException("load");
    }

    @Override
    public double[] getProcessorCpuLoadBetweenTicks(long[][] oldTicks, long[][] newTicks)
    {
        throw new UnsupportedOperationException("load");
    }

    @Override
    public long[][] getProcessorCpuLoadTicks()
    {
        throw new UnsupportedOperationException("load");
    }

    @Override
    public long getContextSwitches()
    {
        throw new UnsupportedOperationException("context switches");
    }

    @Override
    public long getInterrupts()
    {
        throw new UnsupportedOperationException("interrupts");
    }
}
