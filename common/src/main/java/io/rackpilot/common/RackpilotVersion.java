package io.rackpilot.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build, filled in by Maven resource filtering.
 */
public final class RackpilotVersion
{
    private static final String VERSION = load();

    private RackpilotVersion() {}

    public static String current()
    {
        return VERSION;
    }

    private static String load()
    {
        try (InputStream input = RackpilotVersion.class.getResourceAsStream("version.properties")) {
            if (input == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(input);
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
