package io.rackpilot.agent.gpu;

import com.sun.jna.Memory;
import io.rackpilot.proto.v1.GpuProcess;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JNA structures have the x86-64 sizes and offsets of nvml.h, and the process list layouts
 * decode what a driver writes.
 */
final class TestNvmlStructs
{
    @Test
    void structureSizesAndOffsets()
    {
        NvmlLibrary.PciInfo pci = new NvmlLibrary.PciInfo();
        assertThat(pci.size()).isEqualTo(68);
        pci.domain = 0x11;
        pci.pciSubSystemId = 0x22;
        pci.busId[0] = 0x33;
        pci.write();
        assertThat(pci.getPointer().getInt(16)).isEqualTo(0x11);
        assertThat(pci.getPointer().getInt(32)).isEqualTo(0x22);
        assertThat(pci.getPointer().getByte(36)).isEqualTo((byte) 0x33);
        NvmlLibrary.MemoryInfo memory = new NvmlLibrary.MemoryInfo();
        assertThat(memory.size()).isEqualTo(24);
        memory.free = 0x44;
        memory.used = 0x55;
        memory.write();
        assertThat(memory.getPointer().getLong(8)).isEqualTo(0x44);
        assertThat(memory.getPointer().getLong(16)).isEqualTo(0x55);
        assertThat(new NvmlLibrary.Utilization().size()).isEqualTo(8);
        NvmlLibrary.ProcessInfoV1 version1 = new NvmlLibrary.ProcessInfoV1();
        assertThat(version1.size()).isEqualTo(16);
        version1.usedGpuMemory = 0x66;
        version1.write();
        assertThat(version1.getPointer().getLong(8)).isEqualTo(0x66);
        assertThat(new NvmlLibrary.ProcessInfoV2().size()).isEqualTo(24);
        assertThat(new NvmlLibrary.ProcessInfoV3().size()).isEqualTo(32);
        for (ProcessInfoLayout layout : ProcessInfoLayout.values()) {
            assertThat(layout.entrySize()).isLessThanOrEqualTo(ProcessInfoLayout.MAXIMUM_ENTRY_SIZE);
        }
    }

    @Test
    void theVersion3LayoutFollowsTheSymbolsTheDriverExports()
    {
        assertThat(ProcessInfoLayout.forVersion3(Set.of("nvmlDeviceGetConfComputeMemSizeInfo")::contains))
                .isEqualTo(ProcessInfoLayout.V3_CONFIDENTIAL_COMPUTING);
        assertThat(ProcessInfoLayout.forVersion3(Set.of("nvmlDeviceGetConfComputeMemSizeInfo", "nvmlDeviceGetRunningProcessDetailList")::contains))
                .isEqualTo(ProcessInfoLayout.V3);
        assertThat(ProcessInfoLayout.forVersion3(Set.<String>of()::contains)).isEqualTo(ProcessInfoLayout.V3);
        assertThat(ProcessInfoLayout.V3_CONFIDENTIAL_COMPUTING.fallback()).isEqualTo(ProcessInfoLayout.V2);
        assertThat(ProcessInfoLayout.V3.fallback()).isEqualTo(ProcessInfoLayout.V2);
        assertThat(ProcessInfoLayout.V2.fallback()).isEqualTo(ProcessInfoLayout.V1);
        assertThat(ProcessInfoLayout.V1.fallback()).isNull();
    }

    @Test
    void decodesEntriesAtTheirStride()
    {
        try (Memory buffer = new Memory(4L * ProcessInfoLayout.MAXIMUM_ENTRY_SIZE)) {
            for (ProcessInfoLayout layout : ProcessInfoLayout.values()) {
                buffer.clear();
                int stride = layout.entrySize();
                buffer.setInt(0, 7);
                buffer.setLong(8, 1L << 40);
                buffer.setInt(stride, -2);
                buffer.setLong(stride + 8, NvmlLibrary.VALUE_NOT_AVAILABLE);
                assertThat(layout.decode(buffer, 2)).as(layout.name()).containsExactly(
                        GpuProcess.newBuilder().setPid(7).setUsedMemoryBytes(1L << 40).build(),
                        GpuProcess.newBuilder().setPid(-2).build());
            }
        }
    }

    @Test
    void cStringsStopAtTheTerminator()
    {
        assertThat(CStrings.decode(new byte[] {'T', '4', 0, 'Z', 'Z'})).isEqualTo("T4");
        assertThat(CStrings.decode(new byte[] {'T', '4'})).isEqualTo("T4");
        assertThat(CStrings.decode(new byte[4])).isEmpty();
    }

    @Test
    void units()
    {
        assertThat(NvmlUnits.unsigned(-1)).isEqualTo(4294967295L);
        assertThat(NvmlUnits.unsignedToDouble(-1L)).isEqualTo(0x1p64);
        assertThat(NvmlUnits.unsignedToDouble(1L << 63)).isEqualTo(0x1p63);
        assertThat(NvmlUnits.unsignedToDouble(12345L)).isEqualTo(12345.0);
        assertThat(NvmlUnits.ratioFromPercent(87)).isEqualTo(0.87);
        assertThat(NvmlUnits.unitsFromMilliunits(70_000)).isEqualTo(70.0);
        assertThat(NvmlUnits.unitsFromMilliunits(-1)).isEqualTo(4294967.295);
        assertThat(NvmlUnits.unitsFromMilliunits(123_456_789L)).isEqualTo(123456.789);
        assertThat(NvmlUnits.hertzFromMegahertz(1590)).isEqualTo(1_590_000_000L);
        assertThat(NvmlUnits.hertzFromMegahertz(-1)).isEqualTo(4_294_967_295_000_000L);
    }

    @Test
    void unsupportedCodes()
    {
        assertThat(NvmlReturn.isUnsupported(NvmlReturn.NOT_SUPPORTED)).isTrue();
        assertThat(NvmlReturn.isUnsupported(NvmlReturn.FUNCTION_NOT_FOUND)).isTrue();
        assertThat(NvmlReturn.isUnsupported(NvmlReturn.GPU_IS_LOST)).isFalse();
        assertThat(NvmlReturn.fallbackText(NvmlReturn.GPU_IS_LOST)).isEqualTo("the GPU is lost");
        assertThat(NvmlReturn.fallbackText(12345)).isEqualTo("unknown error");
    }
}
