package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.OperatingSystemInfo;
import oshi.software.os.OperatingSystem;

import java.util.Locale;

import static io.rackpilot.agent.inventory.OshiValues.text;
import static java.util.Objects.requireNonNull;

/**
 * {@code operating_system}: family ({@code Debian GNU/Linux}), version ({@code 12}, without the code
 * name), kernel release ({@code uname -r}) and architecture in the kernel's spelling
 * ({@code uname -m}: {@code x86_64}, {@code aarch64}).
 */
public final class OperatingSystemCollector
        implements InventoryCollector
{
    private final OperatingSystem operatingSystem;
    private final String architecture;

    /**
     * @param javaArchitecture the JVM's {@code os.arch} ({@code amd64}, {@code aarch64})
     */
    public OperatingSystemCollector(OperatingSystem operatingSystem, String javaArchitecture)
    {
        this.operatingSystem = requireNonNull(operatingSystem, "operatingSystem is null");
        this.architecture = kernelArchitecture(requireNonNull(javaArchitecture, "javaArchitecture is null"));
    }

    public static OperatingSystemCollector forThisJvm(OperatingSystem operatingSystem)
    {
        return new OperatingSystemCollector(operatingSystem, System.getProperty("os.arch", ""));
    }

    @Override
    public String name()
    {
        return "operating_system";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        OperatingSystem.OSVersionInfo version = operatingSystem.getVersionInfo();
        inventory.setOperatingSystem(OperatingSystemInfo.newBuilder()
                .setFamily(text(operatingSystem.getFamily()))
                .setVersion(text(version.getVersion()))
                .setKernel(text(version.getBuildNumber()))
                .setArchitecture(architecture));
    }

    /**
     * The JVM names the architecture as Java does; the inventory as the kernel does.
     */
    static String kernelArchitecture(String javaArchitecture)
    {
        String architecture = javaArchitecture.strip().toLowerCase(Locale.ROOT);
        return switch (architecture) {
            case "amd64", "x86_64" -> "x86_64";
            case "x86", "i386", "i486", "i586", "i686" -> "i686";
            case "arm64", "aarch64" -> "aarch64";
            default -> architecture;
        };
    }
}
