package io.rackpilot.agent.inventory;

import oshi.software.os.FileSystem;
import oshi.software.os.InternetProtocolStats;
import oshi.software.os.NetworkParams;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;
import oshi.software.os.OSThread;
import oshi.software.os.OperatingSystem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * An {@link OperatingSystem} that answers what a test gave it and refuses everything else. It
 * records whether the file stores were asked for local ones only.
 */
final class FakeOperatingSystem
        implements OperatingSystem
{
    private final String family;
    private final OSVersionInfo version;
    private final String hostname;
    private final long bootTimeSeconds;
    private final List<OSFileStore> fileStores;
    private final List<Boolean> fileStoreRequests = new ArrayList<>();

    FakeOperatingSystem(String family, OSVersionInfo version, String hostname, long bootTimeSeconds, List<OSFileStore> fileStores)
    {
        this.family = family;
        this.version = version;
        this.hostname = hostname;
        this.bootTimeSeconds = bootTimeSeconds;
        this.fileStores = List.copyOf(fileStores);
    }

    static FakeOperatingSystem withFileStores(OSFileStore... fileStores)
    {
        return new FakeOperatingSystem("Debian GNU/Linux", new OSVersionInfo("12", "bookworm", "6.8.12-4-pve"), "pve", 1_700_000_000L, List.of(fileStores));
    }

    /**
     * One entry per {@code getFileStores} call: whether it asked for local file stores only.
     */
    List<Boolean> fileStoreRequests()
    {
        return List.copyOf(fileStoreRequests);
    }

    @Override
    public String getFamily()
    {
        return family;
    }

    @Override
    public String getManufacturer()
    {
        return "GNU/Linux";
    }

    @Override
    public OSVersionInfo getVersionInfo()
    {
        return version;
    }

    @Override
    public FileSystem getFileSystem()
    {
        return new FileSystem()
        {
            @Override
            public List<OSFileStore> getFileStores()
            {
                return getFileStores(false);
            }

            @Override
            public List<OSFileStore> getFileStores(boolean localOnly)
            {
                fileStoreRequests.add(localOnly);
                return fileStores;
            }

            @Override
            public long getOpenFileDescriptors()
            {
                throw new UnsupportedOperationException("file descriptors");
            }

            @Override
            public long getMaxFileDescriptors()
            {
                throw new UnsupportedOperationException("file descriptors");
            }

            @Override
            public long getMaxFileDescriptorsPerProcess()
            {
                throw new UnsupportedOperationException("file descriptors");
            }
        };
    }

    @Override
    public long getSystemBootTime()
    {
        return bootTimeSeconds;
    }

    @Override
    public NetworkParams getNetworkParams()
    {
        return new NetworkParams()
        {
            @Override
            public String getHostName()
            {
                return hostname;
            }

            @Override
            public String getDomainName()
            {
                throw new UnsupportedOperationException("domain name: may ask DNS");
            }

            @Override
            public String[] getDnsServers()
            {
                throw new UnsupportedOperationException("DNS servers");
            }

            @Override
            public String getIpv4DefaultGateway()
            {
                throw new UnsupportedOperationException("gateway");
            }

            @Override
            public String getIpv6DefaultGateway()
            {
                throw new UnsupportedOperationException("gateway");
            }
        };
    }

    @Override
    public int getBitness()
    {
        return 64;
    }

    @Override
    public InternetProtocolStats getInternetProtocolStats()
    {
        throw new UnsupportedOperationException("protocol statistics");
    }

    @Override
    public List<OSProcess> getProcesses(Predicate<OSProcess> filter, Comparator<OSProcess> sort, int limit)
    {
        throw new UnsupportedOperationException("processes");
    }

    @Override
    public OSProcess getProcess(int processId)
    {
        throw new UnsupportedOperationException("processes");
    }

    @Override
    public List<OSProcess> getChildProcesses(int parentProcessId, Predicate<OSProcess> filter, Comparator<OSProcess> sort, int limit)
    {
        throw new UnsupportedOperationException("processes");
    }

    @Override
    public List<OSProcess> getDescendantProcesses(int parentProcessId, Predicate<OSProcess> filter, Comparator<OSProcess> sort, int limit)
    {
        throw new UnsupportedOperationException("processes");
    }

    @Override
    public int getProcessId()
    {
        throw new UnsupportedOperationException("processes");
    }

    @Override
    public int getProcessCount()
    {
        throw new UnsupportedOperationException("processes");
    }

    @Override
    public int getThreadId()
    {
        throw new UnsupportedOperationException("threads");
    }

    @Override
    public OSThread getCurrentThread()
    {
        throw new UnsupportedOperationException("threads");
    }

    @Override
    public int getThreadCount()
    {
        throw new UnsupportedOperationException("threads");
    }

    @Override
    public long getSystemUptime()
    {
        throw new UnsupportedOperationException("uptime");
    }
}
