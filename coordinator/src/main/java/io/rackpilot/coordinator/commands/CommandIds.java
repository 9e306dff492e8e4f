package io.rackpilot.coordinator.commands;

import java.security.SecureRandom;
import java.time.Clock;

import static java.util.Objects.requireNonNull;

/**
 * Command ids that sort by creation time: 10 characters of milliseconds and 16 of randomness in
 * Crockford's base 32 (the ULID layout), e.g. {@code 01JD3X7K9M4Q8R2T6V0W1Y3Z5A}.
 */
public final class CommandIds
{
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private long lastMillis = -1;
    private final byte[] lastRandom = new byte[10];

    public CommandIds(Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
    }

    public synchronized String next()
    {
        long millis = clock.millis();
        if (millis <= lastMillis) {
            // Same millisecond (or a clock step back): keep order by incrementing the random part.
            millis = lastMillis;
            increment(lastRandom);
        }
        else {
            random.nextBytes(lastRandom);
            lastMillis = millis;
        }
        char[] id = new char[26];
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            id[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits as 16 characters of 5 bits.
        int bitIndex = 0;
        for (int i = 10; i < 26; i++) {
            int value = 0;
            for (int bit = 0; bit < 5; bit++) {
                int byteIndex = bitIndex / 8;
                int shift = 7 - (bitIndex % 8);
                value = (value << 1) | ((lastRandom[byteIndex] >> shift) & 1);
                bitIndex++;
            }
            id[i] = ALPHABET[value];
        }
        return new String(id);
    }

    private static void increment(byte[] bytes)
    {
        for (int i = bytes.length - 1; i >= 0; i--) {
            bytes[i]++;
            if (bytes[i] != 0) {
                return;
            }
        }
    }
}
