package io.rackpilot.agent.gpu;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVML functions rackpilot calls, bound by JNA to {@code libnvidia-ml.so} (x86-64 Linux ABI).
 * Every function returns an {@code nvmlReturn_t} (see {@link NvmlReturn}); C {@code unsigned}
 * values arrive in Java {@code int}/{@code long} and must be read as unsigned. Method names are the
 * exported symbols, versioned where NVML versions them ({@code nvmlDeviceGetPciInfo_v3}, not the
 * unversioned one, which fills an older struct). A function the loaded driver does not export
 * throws {@link UnsatisfiedLinkError} when called (JNA looks symbols up on the first call).
 */
public interface NvmlLibrary
        extends Library
{
    int NAME_BUFFER_SIZE = 96;
    int UUID_BUFFER_SIZE = 96;
    int SERIAL_BUFFER_SIZE = 30;
    int SYSTEM_DRIVER_VERSION_BUFFER_SIZE = 80;
    int SYSTEM_NVML_VERSION_BUFFER_SIZE = 80;

    int TEMPERATURE_GPU = 0;
    int CLOCK_GRAPHICS = 0;
    int CLOCK_SM = 1;
    int CLOCK_MEMORY = 2;
    int FEATURE_ENABLED = 1;
    int MEMORY_ERROR_TYPE_CORRECTED = 0;
    int MEMORY_ERROR_TYPE_UNCORRECTED = 1;
    int VOLATILE_ECC = 0;
    /** {@code NVML_VALUE_NOT_AVAILABLE} as an unsigned long long (all bits set). */
    long VALUE_NOT_AVAILABLE = -1L;

    int nvmlInit_v2();

    int nvmlShutdown();

    String nvmlErrorString(int result);

    int nvmlSystemGetDriverVersion(byte[] version, int length);

    int nvmlSystemGetNVMLVersion(byte[] version, int length);

    int nvmlSystemGetCudaDriverVersion_v2(IntByReference version);

    int nvmlSystemGetCudaDriverVersion(IntByReference version);

    int nvmlDeviceGetCount_v2(IntByReference count);

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetName(Pointer device, byte[] name, int length);

    int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

    int nvmlDeviceGetSerial(Pointer device, byte[] serial, int length);

    int nvmlDeviceGetPciInfo_v3(Pointer device, PciInfo pci);

    int nvmlDeviceGetMemoryInfo(Pointer device, MemoryInfo memory);

    int nvmlDeviceGetUtilizationRates(Pointer device, Utilization utilization);

    int nvmlDeviceGetTemperature(Pointer device, int sensor, IntByReference celsius);

    int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

    int nvmlDeviceGetEnforcedPowerLimit(Pointer device, IntByReference milliwatts);

    int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference millijoules);

    int nvmlDeviceGetFanSpeed(Pointer device, IntByReference percent);

    int nvmlDeviceGetClockInfo(Pointer device, int clockType, IntByReference megahertz);

    int nvmlDeviceGetEccMode(Pointer device, IntByReference current, IntByReference pending);

    int nvmlDeviceGetTotalEccErrors(Pointer device, int errorType, int counterType, LongByReference count);

    /**
     * Entries are {@link ProcessInfoV2} (24 bytes), except on R535 to R545 drivers where they are
     * {@link ProcessInfoV3} (32 bytes): see {@link ProcessInfoLayout}.
     */
    int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference infoCount, Pointer infos);

    /** Entries are {@link ProcessInfoV2} (24 bytes). */
    int nvmlDeviceGetComputeRunningProcesses_v2(Pointer device, IntByReference infoCount, Pointer infos);

    /** Entries are {@link ProcessInfoV1} (16 bytes). */
    int nvmlDeviceGetComputeRunningProcesses(Pointer device, IntByReference infoCount, Pointer infos);

    /** {@code nvmlPciInfo_t} as {@code nvmlDeviceGetPciInfo_v3} fills it: 68 bytes. */
    @FieldOrder({"busIdLegacy", "domain", "bus", "device", "pciDeviceId", "pciSubSystemId", "busId"})
    final class PciInfo
            extends Structure
    {
        public byte[] busIdLegacy = new byte[16];
        public int domain;
        public int bus;
        public int device;
        public int pciDeviceId;
        public int pciSubSystemId;
        public byte[] busId = new byte[32];
    }

    /** {@code nvmlMemory_t}: bytes, unsigned. */
    @FieldOrder({"total", "free", "used"})
    final class MemoryInfo
            extends Structure
    {
        public long total;
        public long free;
        public long used;
    }

    /** {@code nvmlUtilization_t}: percent over the last sample period. */
    @FieldOrder({"gpu", "memory"})
    final class Utilization
            extends Structure
    {
        public int gpu;
        public int memory;
    }

    /** {@code nvmlProcessInfo_v1_t}: 16 bytes. */
    @FieldOrder({"pid", "usedGpuMemory"})
    final class ProcessInfoV1
            extends Structure
    {
        public int pid;
        public long usedGpuMemory;

        public ProcessInfoV1()
        {
        }

        public ProcessInfoV1(Pointer memory)
        {
            super(memory);
            read();
        }
    }

    /** {@code nvmlProcessInfo_v2_t}: 24 bytes. */
    @FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId"})
    final class ProcessInfoV2
            extends Structure
    {
        public int pid;
        public long usedGpuMemory;
        public int gpuInstanceId;
        public int computeInstanceId;

        public ProcessInfoV2()
        {
        }

        public ProcessInfoV2(Pointer memory)
        {
            super(memory);
            read();
        }
    }

    /** The {@code nvmlProcessInfo_t} of R535 to R545 drivers: 32 bytes. */
    @FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId", "usedGpuCcProtectedMemory"})
    final class ProcessInfoV3
            extends Structure
    {
        public int pid;
        public long usedGpuMemory;
        public int gpuInstanceId;
        public int computeInstanceId;
        public long usedGpuCcProtectedMemory;

        public ProcessInfoV3()
        {
        }

        public ProcessInfoV3(Pointer memory)
        {
            super(memory);
            read();
        }
    }
}
