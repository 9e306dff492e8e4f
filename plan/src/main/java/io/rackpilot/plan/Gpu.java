package io.rackpilot.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI GPU of the host and the VM it belongs to. It is passed through with a Proxmox PCI resource
 * mapping ({@code hostpciN: mapping=<id>}), since API tokens may not set a raw {@code host=} address.
 *
 * @param id the GPU's name in the plan and in {@code rackctl gpu move ID} ({@code tesla-t4})
 * @param host the Proxmox node it is installed in
 * @param pciAddress its host PCI address, normalised to {@code 0000:06:00.0} ({@code 06:00.0} is accepted)
 * @param vendorDevice its PCI vendor and device id, {@code 10de:1eb8} for a Tesla T4
 * @param mapping the id of the Proxmox PCI resource mapping ({@code /cluster/mapping/pci}) for it
 * @param vm the vmid of the VM it belongs to; empty to leave it unassigned
 * @param pcie whether it is attached as PCI Express ({@code pcie=1}, needs the q35 machine type); required
 * @param driver the host driver the card must be bound to for passthrough; {@code vfio-pci} by default
 */
public record Gpu(String id, String host, String pciAddress, String vendorDevice, String mapping, OptionalInt vm, @JsonProperty(required = true) boolean pcie, String driver)
{
    public static final String VFIO_PCI = "vfio-pci";
    private static final Pattern DRIVER = Pattern.compile("[A-Za-z0-9_-]+");

    public Gpu(String id, String host, String pciAddress, String vendorDevice, String mapping, OptionalInt vm, boolean pcie)
    {
        this(id, host, pciAddress, vendorDevice, mapping, vm, pcie, null);
    }

    private static final Pattern PCI_ADDRESS = Pattern.compile("(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-1][0-9a-f])\\.([0-7])");
    private static final Pattern VENDOR_DEVICE = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{4}");
    private static final Pattern MAPPING_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    public Gpu
    {
        id = ConfigValues.requiredText(id, "id");
        host = ConfigValues.requiredText(host, "host");
        pciAddress = normalisePciAddress(ConfigValues.requiredText(pciAddress, "pciAddress"));
        vendorDevice = ConfigValues.requiredText(vendorDevice, "vendorDevice").toLowerCase(Locale.ROOT);
        if (!VENDOR_DEVICE.matcher(vendorDevice).matches()) {
            throw new ConfigValueException("vendorDevice", "expected a PCI vendor:device id such as 10de:1eb8, got \"" + vendorDevice + "\"");
        }
        mapping = ConfigValues.requiredText(mapping, "mapping");
        if (!MAPPING_ID.matcher(mapping).matches()) {
            throw new ConfigValueException("mapping", "expected a Proxmox mapping id (a letter, then letters, digits, '-', '_' or '.'), got \"" + mapping + "\"");
        }
        vm = ConfigValues.optional(vm);
        driver = ConfigValues.orDefault(driver, VFIO_PCI);
        if (!DRIVER.matcher(driver).matches()) {
            throw new ConfigValueException("driver", "expected a kernel driver name such as vfio-pci, got \"" + driver + "\"");
        }
    }

    private static String normalisePciAddress(String pciAddress)
    {
        Matcher matcher = PCI_ADDRESS.matcher(pciAddress.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new ConfigValueException("pciAddress", "expected a PCI address such as 0000:06:00.0, got \"" + pciAddress + "\"");
        }
        String domain = matcher.group(1) == null ? "0000" : matcher.group(1);
        return domain + ":" + matcher.group(2) + ":" + matcher.group(3) + "." + matcher.group(4);
    }
}
