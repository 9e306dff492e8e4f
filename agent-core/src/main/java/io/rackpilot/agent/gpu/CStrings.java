package io.rackpilot.agent.gpu;

import java.nio.charset.StandardCharsets;

/**
 * Reads the NUL-terminated strings NVML writes into fixed-size {@code char} buffers. The bytes
 * after the terminator are whatever the library left there; without a terminator the whole buffer
 * is the string.
 */
final class CStrings
{
    private CStrings() {}

    static String decode(byte[] buffer)
    {
        int length = 0;
        while (length < buffer.length && buffer[length] != 0) {
            length++;
        }
        return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }
}
