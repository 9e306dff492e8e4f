package io.rackpilot.coordinator.store;

import static java.lang.String.format;
import static java.util.Objects.requireNonNull;

/**
 * The limits every {@link Store} enforces on keys, prefixes and values, so that all implementations
 * (SQLite, in memory, etcd) accept exactly the same input.
 */
public final class StoreLimits
{
    /** Longest key or prefix, in characters. */
    public static final int MAX_KEY_LENGTH = 512;
    /** Largest value, in bytes (etcd's default request limit is 1.5 MiB; this stays below it). */
    public static final int MAX_VALUE_BYTES = 1024 * 1024;

    private static final int QUOTED_KEY_LENGTH = 60;

    private StoreLimits() {}

    /**
     * Returns {@code key} when it is a valid key: non-empty, printable ASCII (space to tilde), at most
     * {@link #MAX_KEY_LENGTH} characters.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String checkKey(String key)
    {
        requireNonNull(key, "key is null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("store key is empty");
        }
        checkCharacters("key", key);
        return key;
    }

    /**
     * Returns {@code prefix} when it is a valid prefix: like a key, but it may be empty (empty selects
     * every key).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String checkPrefix(String prefix)
    {
        requireNonNull(prefix, "prefix is null");
        checkCharacters("prefix", prefix);
        return prefix;
    }

    /**
     * Returns {@code value} when it is at most {@link #MAX_VALUE_BYTES} long.
     *
     * @throws IllegalArgumentException naming the key and the size
     */
    public static byte[] checkValue(String key, byte[] value)
    {
        requireNonNull(value, "value is null");
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(format(
                    "value for store key %s is %s bytes, the limit is %s bytes",
                    quote(key), value.length, MAX_VALUE_BYTES));
        }
        return value;
    }

    private static void checkCharacters(String what, String text)
    {
        if (text.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(format(
                    "store %s %s is %s characters long, the limit is %s",
                    what, quote(text), text.length(), MAX_KEY_LENGTH));
        }
        for (int index = 0; index < text.length(); index++) {
            char character = text.charAt(index);
            if (!isPrintableAscii(character)) {
                throw new IllegalArgumentException(format(
                        "store %s %s has a character that is not printable ASCII (U+%04X) at index %s",
                        what, quote(text), (int) character, index));
            }
        }
    }

    static boolean isPrintableAscii(char character)
    {
        return character >= 0x20 && character <= 0x7E;
    }

    /** Renders a possibly invalid key for an error message: shortened, unprintable characters as '?'. */
    private static String quote(String text)
    {
        StringBuilder quoted = new StringBuilder("\"");
        int shown = Math.min(text.length(), QUOTED_KEY_LENGTH);
        for (int index = 0; index < shown; index++) {
            char character = text.charAt(index);
            quoted.append(isPrintableAscii(character) ? character : '?');
        }
        if (shown < text.length()) {
            quoted.append("...");
        }
        return quoted.append('"').toString();
    }
}
