package io.rackpilot.agent.gpu;

import com.sun.jna.Pointer;
import io.rackpilot.proto.v1.GpuProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which {@code nvmlDeviceGetComputeRunningProcesses} variant to call and how its entries are laid
 * out. {@code _v3} changed its entry size without a new name: R535 to R545 drivers write 32-byte
 * entries (with {@code usedGpuCcProtectedMemory}); earlier drivers and R550 on write the 24-byte
 * {@code nvmlProcessInfo_v2_t}. The R535 kind is recognised as the drivers that export
 * {@code nvmlDeviceGetConfComputeMemSizeInfo} (added in R535) but not
 * {@code nvmlDeviceGetRunningProcessDetailList} (added in R550, when {@code _v3} went back to 24
 * bytes). Buffers are always allocated at {@link #MAXIMUM_ENTRY_SIZE} bytes an entry, so a wrong
 * guess garbles values but never lets the driver write past the buffer.
 */
enum ProcessInfoLayout
{
    V3_CONFIDENTIAL_COMPUTING("nvmlDeviceGetComputeRunningProcesses_v3", 32),
    V3("nvmlDeviceGetComputeRunningProcesses_v3", 24),
    V2("nvmlDeviceGetComputeRunningProcesses_v2", 24),
    V1("nvmlDeviceGetComputeRunningProcesses", 16);

    static final int MAXIMUM_ENTRY_SIZE = 32;

    private final String function;
    private final int entrySize;

    ProcessInfoLayout(String function, int entrySize)
    {
        this.function = function;
        this.entrySize = entrySize;
    }

    String function()
    {
        return function;
    }

    int entrySize()
    {
        return entrySize;
    }

    /**
     * The layout of {@code _v3} for a library, given which symbols it exports.
     */
    static ProcessInfoLayout forVersion3(Predicate<String> exportsSymbol)
    {
        boolean confidentialComputing = exportsSymbol.test("nvmlDeviceGetConfComputeMemSizeInfo");
        boolean detailList = exportsSymbol.test("nvmlDeviceGetRunningProcessDetailList");
        return confidentialComputing && !detailList ? V3_CONFIDENTIAL_COMPUTING : V3;
    }

    /**
     * The next variant to try when this one's function is missing, or null.
     */
    ProcessInfoLayout fallback()
    {
        return switch (this) {
            case V3_CONFIDENTIAL_COMPUTING, V3 -> V2;
            case V2 -> V1;
            case V1 -> null;
        };
    }

    List<GpuProcess> decode(Pointer buffer, int count)
    {
        List<GpuProcess> processes = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            GpuProcess.Builder process = GpuProcess.newBuilder();
            long usedMemory = switch (this) {
                case V3_CONFIDENTIAL_COMPUTING -> {
                    NvmlLibrary.ProcessInfoV3 info = new NvmlLibrary.ProcessInfoV3(entry(buffer, index));
                    process.setPid(info.pid);
                    yield info.usedGpuMemory;
                }
                case V3, V2 -> {
                    NvmlLibrary.ProcessInfoV2 info = new NvmlLibrary.ProcessInfoV2(entry(buffer, index));
                    process.setPid(info.pid);
                    yield info.usedGpuMemory;
                }
                case V1 -> {
                    NvmlLibrary.ProcessInfoV1 info = new NvmlLibrary.ProcessInfoV1(entry(buffer, index));
                    process.setPid(info.pid);
                    yield info.usedGpuMemory;
                }
            };
            if (usedMemory != NvmlLibrary.VALUE_NOT_AVAILABLE) {
                process.setUsedMemoryBytes(usedMemory);
            }
            processes.add(process.build());
        }
        return processes;
    }

    private Pointer entry(Pointer buffer, int index)
    {
        return buffer.share((long) index * entrySize);
    }
}
