package io.rackpilot.agent.gpu;

/**
 * The {@code nvmlReturn_t} codes rackpilot tells apart, and their meaning in words for when
 * {@code nvmlErrorString} cannot be asked (a library that failed to load or lacks it).
 */
public final class NvmlReturn
{
    public static final int SUCCESS = 0;
    public static final int UNINITIALIZED = 1;
    public static final int INVALID_ARGUMENT = 2;
    public static final int NOT_SUPPORTED = 3;
    public static final int NO_PERMISSION = 4;
    public static final int NOT_FOUND = 6;
    public static final int INSUFFICIENT_SIZE = 7;
    public static final int DRIVER_NOT_LOADED = 9;
    public static final int TIMEOUT = 10;
    public static final int LIBRARY_NOT_FOUND = 12;
    public static final int FUNCTION_NOT_FOUND = 13;
    public static final int GPU_IS_LOST = 15;
    public static final int UNKNOWN = 999;

    private NvmlReturn() {}

    /**
     * Whether the code means "this device or driver does not have it": the field is left unset,
     * and the GPU is not unhealthy because of it.
     */
    public static boolean isUnsupported(int result)
    {
        return result == NOT_SUPPORTED || result == FUNCTION_NOT_FOUND;
    }

    public static String fallbackText(int result)
    {
        return switch (result) {
            case SUCCESS -> "success";
            case UNINITIALIZED -> "NVML was not initialised";
            case INVALID_ARGUMENT -> "invalid argument";
            case NOT_SUPPORTED -> "not supported";
            case NO_PERMISSION -> "insufficient permissions";
            case NOT_FOUND -> "not found";
            case INSUFFICIENT_SIZE -> "insufficient size";
            case DRIVER_NOT_LOADED -> "the NVIDIA driver is not loaded";
            case TIMEOUT -> "timeout";
            case LIBRARY_NOT_FOUND -> "NVML shared library not found";
            case FUNCTION_NOT_FOUND -> "function not found";
            case GPU_IS_LOST -> "the GPU is lost";
            default -> "unknown error";
        };
    }
}
