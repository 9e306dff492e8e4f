package io.rackpilot.agent.inventory;

import oshi.hardware.NetworkIF;

import java.net.NetworkInterface;

record FakeNetworkInterface(String name, int type, String mac, String[] ipv4, String[] ipv6, long speed, long mtu, IfOperStatus status)
        implements NetworkIF
{
    static final int ETHERNET_TYPE = 1;

    @Override
    public NetworkInterface queryNetworkInterface()
    {
        return null;
    }

    @Override
    public String getName()
    {
        return name;
    }

    @Override
    public int getIndex()
    {
        throw new UnsupportedOperationException("index");
    }

    @Override
    public String getDisplayName()
    {
        return name;
    }

    @Override
    public IfOperStatus getIfOperStatus()
    {
        return status;
    }

    @Override
    public long getMTU()
    {
        return mtu;
    }

    @Override
    public String getMacaddr()
    {
        return mac;
    }

    @Override
    public String[] getIPv4addr()
    {
        return ipv4;
    }

    @Override
    public Short[] getSubnetMasks()
    {
        throw new UnsupportedOperationException("subnet masks");
    }

    @Override
    public String[] getIPv6addr()
    {
        return ipv6;
    }

    @Override
    public Short[] getPrefixLengths()
    {
        throw new UnsupportedOperationException("prefix lengths");
    }

    @Override
    public int getIfType()
    {
        return type;
    }

    @Override
    public long getBytesRecv()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getBytesSent()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getPacketsRecv()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getPacketsSent()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getInErrors()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getOutErrors()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getInDrops()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getCollisions()
    {
        throw new UnsupportedOperationException("counters");
    }

    @Override
    public long getSpeed()
    {
        return speed;
    }

    @Override
    public long getTimeStamp()
    {
        throw new UnsupportedOperationException("time stamp");
    }

    @Override
    public boolean isKnownVmMacAddr()
    {
        throw new UnsupportedOperationException("known VM MAC");
    }

    @Override
    public boolean updateAttributes()
    {
        throw new UnsupportedOperationException("update");
    }
}
