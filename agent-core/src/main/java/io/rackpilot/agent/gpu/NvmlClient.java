package io.rackpilot.agent.gpu;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.GpuProcess;
import io.rackpilot.proto.v1.GpuProcesses;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Reads every GPU through a loaded NVML library into {@link Gpus}, one {@link #poll()} at a time.
 * <ul>
 * <li>NVML is initialised ({@code nvmlInit_v2}) on the first poll; the system versions are read once
 * per initialisation. A failed initialisation is {@code STATE_ERROR} and is tried again next poll.</li>
 * <li>Each device is read by index; the result is sorted by UUID (the index order is not stable
 * across reboots).</li>
 * <li>A field the device or driver does not support ({@code NOT_SUPPORTED}, or a function the
 * driver does not export) is left unset; a missing function is remembered and not called again.</li>
 * <li>{@code GPU_IS_LOST} from any call of a device makes that GPU {@code GPU_HEALTH_LOST} (the
 * fields read before stay, the rest are not read) and makes the next poll shut NVML down and
 * initialise it again. Any other error makes it {@code GPU_HEALTH_ERROR} with NVML's text; the
 * other fields are still read.</li>
 * </ul>
 * Not thread safe: one thread (the GPU poller's) calls it.
 */
public final class NvmlClient
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(NvmlClient.class.getName());

    private static final int INITIAL_PROCESS_CAPACITY = 16;
    private static final int PROCESS_CAPACITY_MARGIN = 8;
    private static final int MAXIMUM_PROCESS_CAPACITY = 1 << 16;
    private static final int PROCESS_ATTEMPTS = 4;

    private final NvmlLibrary library;
    private final String libraryName;
    private final Predicate<String> exportsSymbol;
    private final Set<String> missingFunctions = new HashSet<>();
    private final Map<Integer, String> errorTexts = new HashMap<>();
    private final Map<Integer, String> uuidByIndex = new HashMap<>();

    private boolean initialized;
    private boolean reinitialize;
    private NvmlStatus availableStatus;
    private ProcessInfoLayout processLayout;
    private int processCapacity = INITIAL_PROCESS_CAPACITY;
    private Memory processBuffer;
    private int calls;
    private int lastPollCalls;

    public NvmlClient(LoadedNvml nvml)
    {
        requireNonNull(nvml, "nvml is null");
        this.library = nvml.library();
        this.libraryName = nvml.name();
        this.exportsSymbol = nvml.exportsSymbol();
    }

    public Gpus poll()
    {
        calls = 0;
        try {
            return read();
        }
        finally {
            lastPollCalls = calls;
        }
    }

    /**
     * How many NVML functions the last poll called.
     */
    public int lastPollCallCount()
    {
        return lastPollCalls;
    }

    /**
     * The functions found missing from the library so far.
     */
    public Set<String> missingFunctions()
    {
        return Set.copyOf(missingFunctions);
    }

    @Override
    public void close()
    {
        if (initialized) {
            shutdown();
        }
    }

    private Gpus read()
    {
        if (reinitialize && initialized) {
            shutdown();
        }
        reinitialize = false;
        if (!initialized) {
            int result = call("nvmlInit_v2", library::nvmlInit_v2);
            if (result != NvmlReturn.SUCCESS) {
                return failure("cannot initialise NVML: " + describe("nvmlInit_v2", result));
            }
            initialized = true;
            availableStatus = readSystem();
        }
        IntByReference count = new IntByReference();
        int result = call("nvmlDeviceGetCount_v2", () -> library.nvmlDeviceGetCount_v2(count));
        if (result != NvmlReturn.SUCCESS) {
            reinitialize = true;
            return failure("cannot count the GPUs: " + describe("nvmlDeviceGetCount_v2", result));
        }
        List<Gpu> gpus = new ArrayList<>();
        for (int index = 0; index < count.getValue(); index++) {
            gpus.add(readDevice(index));
        }
        gpus.sort(Comparator.comparing(Gpu::getUuid).thenComparingInt(Gpu::getIndex));
        return Gpus.newBuilder()
                .setNvml(availableStatus)
                .addAllItems(gpus)
                .build();
    }

    private void shutdown()
    {
        int result = call("nvmlShutdown", library::nvmlShutdown);
        if (result != NvmlReturn.SUCCESS) {
            log.fine(() -> "nvmlShutdown: " + describe("nvmlShutdown", result));
        }
        initialized = false;
    }

    private Gpus failure(String message)
    {
        return Gpus.newBuilder()
                .setNvml(NvmlStatus.newBuilder()
                        .setState(NvmlStatus.State.STATE_ERROR)
                        .setLibrary(libraryName)
                        .setMessage(message))
                .build();
    }

    private NvmlStatus readSystem()
    {
        NvmlStatus.Builder status = NvmlStatus.newBuilder()
                .setState(NvmlStatus.State.STATE_AVAILABLE)
                .setLibrary(libraryName);
        byte[] driverVersion = new byte[NvmlLibrary.SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
        if (systemCall("nvmlSystemGetDriverVersion", () -> library.nvmlSystemGetDriverVersion(driverVersion, driverVersion.length))) {
            status.setDriverVersion(CStrings.decode(driverVersion));
        }
        byte[] nvmlVersion = new byte[NvmlLibrary.SYSTEM_NVML_VERSION_BUFFER_SIZE];
        if (systemCall("nvmlSystemGetNVMLVersion", () -> library.nvmlSystemGetNVMLVersion(nvmlVersion, nvmlVersion.length))) {
            status.setNvmlVersion(CStrings.decode(nvmlVersion));
        }
        IntByReference cudaVersion = new IntByReference();
        if (systemCall("nvmlSystemGetCudaDriverVersion_v2", () -> library.nvmlSystemGetCudaDriverVersion_v2(cudaVersion))
                || (missingFunctions.contains("nvmlSystemGetCudaDriverVersion_v2")
                && systemCall("nvmlSystemGetCudaDriverVersion", () -> library.nvmlSystemGetCudaDriverVersion(cudaVersion)))) {
            status.setCudaDriverVersion(cudaVersion.getValue());
        }
        return status.build();
    }

    private boolean systemCall(String function, IntSupplier invocation)
    {
        int result = call(function, invocation);
        if (result != NvmlReturn.SUCCESS && !NvmlReturn.isUnsupported(result)) {
            log.fine(() -> describe(function, result));
        }
        return result == NvmlReturn.SUCCESS;
    }

    private Gpu readDevice(int index)
    {
        Gpu.Builder gpu = Gpu.newBuilder().setIndex(index);
        DeviceHealth health = new DeviceHealth();
        try {
            PointerByReference handle = new PointerByReference();
            if (read(health, "nvmlDeviceGetHandleByIndex_v2", () -> library.nvmlDeviceGetHandleByIndex_v2(index, handle))) {
                readFields(handle.getValue(), gpu, health);
            }
        }
        catch (GpuLostSignal lost) {
            reinitialize = true;
        }
        if (!gpu.getUuid().isEmpty()) {
            uuidByIndex.put(index, gpu.getUuid());
        }
        else if (uuidByIndex.containsKey(index)) {
            // Lost or failing before its UUID was read: the UUID this index had at the last poll
            gpu.setUuid(uuidByIndex.get(index));
        }
        return gpu.setHealth(health.health())
                .setHealthDetail(health.detail())
                .build();
    }

    private void readFields(Pointer device, Gpu.Builder gpu, DeviceHealth health)
    {
        readString(health, "nvmlDeviceGetUUID", NvmlLibrary.UUID_BUFFER_SIZE, (buffer, length) -> library.nvmlDeviceGetUUID(device, buffer, length))
                .ifPresent(gpu::setUuid);
        readString(health, "nvmlDeviceGetName", NvmlLibrary.NAME_BUFFER_SIZE, (buffer, length) -> library.nvmlDeviceGetName(device, buffer, length))
                .ifPresent(gpu::setName);
        readString(health, "nvmlDeviceGetSerial", NvmlLibrary.SERIAL_BUFFER_SIZE, (buffer, length) -> library.nvmlDeviceGetSerial(device, buffer, length))
                .ifPresent(gpu::setSerial);

        NvmlLibrary.PciInfo pci = new NvmlLibrary.PciInfo();
        if (read(health, "nvmlDeviceGetPciInfo_v3", () -> library.nvmlDeviceGetPciInfo_v3(device, pci))) {
            gpu.setPciBusId(CStrings.decode(pci.busId))
                    .setPciDomain(pci.domain)
                    .setPciBus(pci.bus)
                    .setPciDevice(pci.device)
                    .setPciDeviceId(pci.pciDeviceId)
                    .setPciSubsystemId(pci.pciSubSystemId);
        }

        NvmlLibrary.MemoryInfo memory = new NvmlLibrary.MemoryInfo();
        if (read(health, "nvmlDeviceGetMemoryInfo", () -> library.nvmlDeviceGetMemoryInfo(device, memory))) {
            gpu.setMemoryTotalBytes(memory.total)
                    .setMemoryUsedBytes(memory.used)
                    .setMemoryFreeBytes(memory.free);
        }

        NvmlLibrary.Utilization utilization = new NvmlLibrary.Utilization();
        if (read(health, "nvmlDeviceGetUtilizationRates", () -> library.nvmlDeviceGetUtilizationRates(device, utilization))) {
            gpu.setUtilizationRatio(NvmlUnits.ratioFromPercent(utilization.gpu))
                    .setMemoryUtilizationRatio(NvmlUnits.ratioFromPercent(utilization.memory));
        }

        IntByReference value = new IntByReference();
        if (read(health, "nvmlDeviceGetTemperature", () -> library.nvmlDeviceGetTemperature(device, NvmlLibrary.TEMPERATURE_GPU, value))) {
            gpu.setTemperatureCelsius(NvmlUnits.unsigned(value.getValue()));
        }
        if (read(health, "nvmlDeviceGetPowerUsage", () -> library.nvmlDeviceGetPowerUsage(device, value))) {
            gpu.setPowerWatts(NvmlUnits.unitsFromMilliunits(value.getValue()));
        }
        if (read(health, "nvmlDeviceGetEnforcedPowerLimit", () -> library.nvmlDeviceGetEnforcedPowerLimit(device, value))) {
            gpu.setPowerLimitWatts(NvmlUnits.unitsFromMilliunits(value.getValue()));
        }
        LongByReference energy = new LongByReference();
        if (read(health, "nvmlDeviceGetTotalEnergyConsumption", () -> library.nvmlDeviceGetTotalEnergyConsumption(device, energy))) {
            gpu.setEnergyJoules(NvmlUnits.unitsFromMilliunits(energy.getValue()));
        }
        if (read(health, "nvmlDeviceGetFanSpeed", () -> library.nvmlDeviceGetFanSpeed(device, value))) {
            gpu.setFanRatio(NvmlUnits.ratioFromPercent(value.getValue()));
        }
        if (readClock(device, NvmlLibrary.CLOCK_GRAPHICS, value, health)) {
            gpu.setGraphicsClockHertz(NvmlUnits.hertzFromMegahertz(value.getValue()));
        }
        if (readClock(device, NvmlLibrary.CLOCK_SM, value, health)) {
            gpu.setSmClockHertz(NvmlUnits.hertzFromMegahertz(value.getValue()));
        }
        if (readClock(device, NvmlLibrary.CLOCK_MEMORY, value, health)) {
            gpu.setMemoryClockHertz(NvmlUnits.hertzFromMegahertz(value.getValue()));
        }

        readEcc(device, gpu, health);
        readProcesses(device, health).ifPresent(gpu::setProcesses);
    }

    /**
     * Calls a function of a device and tells whether it answered (see {@link DeviceHealth#check}).
     */
    private boolean read(DeviceHealth health, String function, IntSupplier invocation)
    {
        return health.check(function, call(function, invocation));
    }

    private boolean readClock(Pointer device, int clockType, IntByReference megahertz, DeviceHealth health)
    {
        return read(health, "nvmlDeviceGetClockInfo", () -> library.nvmlDeviceGetClockInfo(device, clockType, megahertz));
    }

    /**
     * The mode, and the volatile error counts (since the driver was loaded) when ECC is enabled:
     * with ECC off the counters mean nothing and are not read.
     */
    private void readEcc(Pointer device, Gpu.Builder gpu, DeviceHealth health)
    {
        IntByReference current = new IntByReference();
        IntByReference pending = new IntByReference();
        if (!read(health, "nvmlDeviceGetEccMode", () -> library.nvmlDeviceGetEccMode(device, current, pending))) {
            return;
        }
        boolean enabled = current.getValue() == NvmlLibrary.FEATURE_ENABLED;
        gpu.setEccEnabled(enabled);
        if (!enabled) {
            return;
        }
        LongByReference count = new LongByReference();
        if (readEccErrors(device, NvmlLibrary.MEMORY_ERROR_TYPE_CORRECTED, count, health)) {
            gpu.setEccCorrectedErrors(count.getValue());
        }
        if (readEccErrors(device, NvmlLibrary.MEMORY_ERROR_TYPE_UNCORRECTED, count, health)) {
            gpu.setEccUncorrectedErrors(count.getValue());
        }
    }

    private boolean readEccErrors(Pointer device, int errorType, LongByReference count, DeviceHealth health)
    {
        return read(health, "nvmlDeviceGetTotalEccErrors", () -> library.nvmlDeviceGetTotalEccErrors(device, errorType, NvmlLibrary.VOLATILE_ECC, count));
    }

    /**
     * The compute processes, by the newest variant the driver has. The list is asked for with
     * room for as many entries as last time; {@code INSUFFICIENT_SIZE} answers with the count
     * needed, and the call is made again with that much room and a little more (processes come and
     * go between calls), a bounded number of times. Still too small after that: unset.
     */
    private Optional<GpuProcesses> readProcesses(Pointer device, DeviceHealth health)
    {
        if (processLayout == null) {
            processLayout = ProcessInfoLayout.forVersion3(exportsSymbol);
        }
        while (processLayout != null && missingFunctions.contains(processLayout.function())) {
            processLayout = processLayout.fallback();
        }
        if (processLayout == null) {
            return Optional.empty();
        }
        ProcessInfoLayout layout = processLayout;
        for (int attempt = 0; attempt < PROCESS_ATTEMPTS; attempt++) {
            int capacity = processCapacity;
            Memory buffer = processBuffer(capacity);
            IntByReference count = new IntByReference(capacity);
            int result = call(layout.function(), () -> listProcesses(layout, device, count, buffer));
            if (result == NvmlReturn.INSUFFICIENT_SIZE) {
                processCapacity = Math.min(MAXIMUM_PROCESS_CAPACITY, Math.max(capacity, count.getValue()) + PROCESS_CAPACITY_MARGIN);
                continue;
            }
            if (result == NvmlReturn.FUNCTION_NOT_FOUND && missingFunctions.contains(layout.function())) {
                return readProcesses(device, health);
            }
            if (!health.check(layout.function(), result)) {
                return Optional.empty();
            }
            List<GpuProcess> processes = layout.decode(buffer, Math.min(count.getValue(), capacity));
            return Optional.of(GpuProcesses.newBuilder().addAllItems(processes).build());
        }
        log.fine(() -> "the compute process list of a GPU kept growing past " + processCapacity + " entries");
        return Optional.empty();
    }

    private int listProcesses(ProcessInfoLayout layout, Pointer device, IntByReference count, Pointer buffer)
    {
        return switch (layout) {
            case V3_CONFIDENTIAL_COMPUTING, V3 -> library.nvmlDeviceGetComputeRunningProcesses_v3(device, count, buffer);
            case V2 -> library.nvmlDeviceGetComputeRunningProcesses_v2(device, count, buffer);
            case V1 -> library.nvmlDeviceGetComputeRunningProcesses(device, count, buffer);
        };
    }

    private Memory processBuffer(int capacity)
    {
        long size = (long) capacity * ProcessInfoLayout.MAXIMUM_ENTRY_SIZE;
        if (processBuffer == null || processBuffer.size() < size) {
            processBuffer = new Memory(size);
        }
        return processBuffer;
    }

    @FunctionalInterface
    private interface StringFunction
    {
        int invoke(byte[] buffer, int length);
    }

    private Optional<String> readString(DeviceHealth health, String function, int bufferSize, StringFunction invocation)
    {
        byte[] buffer = new byte[bufferSize];
        if (health.check(function, call(function, () -> invocation.invoke(buffer, buffer.length)))) {
            return Optional.of(CStrings.decode(buffer));
        }
        return Optional.empty();
    }

    /**
     * Calls an NVML function, counting it; a function the library does not export answers
     * {@code FUNCTION_NOT_FOUND}, is remembered and not called again.
     */
    private int call(String function, IntSupplier invocation)
    {
        if (missingFunctions.contains(function)) {
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
        calls++;
        try {
            return invocation.getAsInt();
        }
        catch (UnsatisfiedLinkError e) {
            missingFunctions.add(function);
            log.info(() -> "the NVML library " + libraryName + " has no " + function + ": treated as not supported");
            return NvmlReturn.FUNCTION_NOT_FOUND;
        }
    }

    private String describe(String function, int result)
    {
        return function + ": " + errorText(result) + " (" + result + ")";
    }

    private String errorText(int result)
    {
        String text = errorTexts.get(result);
        if (text == null) {
            text = askErrorText(result);
            errorTexts.put(result, text);
        }
        return text;
    }

    private String askErrorText(int result)
    {
        if (!missingFunctions.contains("nvmlErrorString")) {
            calls++;
            try {
                String text = library.nvmlErrorString(result);
                if (text != null && !text.isBlank()) {
                    return text;
                }
            }
            catch (UnsatisfiedLinkError e) {
                missingFunctions.add("nvmlErrorString");
            }
        }
        return NvmlReturn.fallbackText(result);
    }

    /**
     * Thrown out of a device's reading when NVML says the GPU is lost: nothing more can be read.
     */
    private static final class GpuLostSignal
            extends RuntimeException
    {
        GpuLostSignal()
        {
            super(null, null, false, false);
        }
    }

    /**
     * The worst of what one device's calls answered, and the errors in words.
     */
    private final class DeviceHealth
    {
        private GpuHealth health = GpuHealth.GPU_HEALTH_HEALTHY;
        private final List<String> details = new ArrayList<>();

        /**
         * Whether the call succeeded; not supported is false and leaves health alone; lost throws.
         */
        boolean check(String function, int result)
        {
            if (result == NvmlReturn.SUCCESS) {
                return true;
            }
            if (NvmlReturn.isUnsupported(result)) {
                return false;
            }
            details.add(describe(function, result));
            if (result == NvmlReturn.GPU_IS_LOST) {
                health = GpuHealth.GPU_HEALTH_LOST;
                throw new GpuLostSignal();
            }
            health = GpuHealth.GPU_HEALTH_ERROR;
            return false;
        }

        GpuHealth health()
        {
            return health;
        }

        String detail()
        {
            return String.join("; ", details);
        }
    }
}
