package io.rackpilot.hostagent.pci;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDriverBindAction;
import io.rackpilot.proto.v1.PciDriverBindResult;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code pci.driver.bind}: binds a device to {@code vfio-pci} for passthrough, or back to its own
 * driver. The kernel's way: write the driver to {@code driver_override} (empty to clear it), the
 * address to the current driver's {@code unbind}, then the address to {@code drivers_probe}; then
 * read the {@code driver} link back to confirm.
 */
public final class PciDriverBindHandler
        implements ActionHandler
{
    public static final String VFIO = "vfio-pci";

    private final PciSysfs sysfs;
    private final SysfsWriter writer;

    public PciDriverBindHandler(PciSysfs sysfs, SysfsWriter writer)
    {
        this.sysfs = requireNonNull(sysfs, "sysfs is null");
        this.writer = requireNonNull(writer, "writer is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.PCI_DRIVER_BIND;
    }

    @Override
    public Duration timeout()
    {
        return Duration.ofSeconds(30);
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        PciDriverBindAction bind = action.getPciDriverBind();
        PciAddress address;
        try {
            address = PciAddress.parse(bind.getAddress());
        }
        catch (IllegalArgumentException e) {
            throw ActionException.rejected("address: " + e.getMessage());
        }
        String wanted = bind.getDriver();
        if (!wanted.isEmpty() && !wanted.equals(VFIO)) {
            throw ActionException.rejected("driver: '" + wanted + "' is not allowed; use vfio-pci, or leave it empty for the device's own driver");
        }
        PciDevice device = read(address).orElseThrow(() -> ActionException.rejected("address: no PCI device " + address + " on this host"));
        boolean inPlace = wanted.isEmpty()
                ? !device.getDriver().equals(VFIO) && device.getDriverOverride().isEmpty() && !device.getDriver().isEmpty()
                : device.getDriver().equals(VFIO);
        String target = wanted.isEmpty() ? "its own driver" : VFIO;
        return PreparedAction.of(inPlace
                        ? address + " is already bound to " + (device.getDriver().isEmpty() ? "no driver" : device.getDriver())
                        : "bind " + address + " (now " + (device.getDriver().isEmpty() ? "unbound" : device.getDriver()) + ") to " + target, inPlace, result(device.getDriver(), device.getDriver()), () -> {
            try {
                writer.write(sysfs.deviceDirectory(address).resolve("driver_override"), wanted.isEmpty() ? "\n" : wanted + "\n");
                if (!device.getDriver().isEmpty()) {
                    writer.write(sysfs.deviceDirectory(address).resolve("driver").resolve("unbind"), address + "\n");
                }
                writer.write(sysfs.driversProbe(), address + "\n");
            }
            catch (IOException e) {
                throw ActionException.failed("binding " + address + " to " + target + " failed: " + e.getMessage(), e);
            }
            String after = read(address).map(PciDevice::getDriver).orElse("");
            boolean bound = wanted.isEmpty() ? !after.isEmpty() && !after.equals(VFIO) : after.equals(VFIO);
            if (!bound) {
                throw ActionException.failed("after drivers_probe " + address + " is bound to " + (after.isEmpty() ? "no driver" : after)
                        + ", not " + target + (wanted.equals(VFIO) ? " (is the vfio-pci module loaded?)" : ""), null);
            }
            return new PreparedAction.Applied(true, "bound " + address + " to " + after + " (was " + (device.getDriver().isEmpty() ? "unbound" : device.getDriver()) + ")",
                    result(device.getDriver(), after));
        });
    }

    private Optional<PciDevice> read(PciAddress address)
            throws ActionException
    {
        try {
            return sysfs.device(address);
        }
        catch (IOException e) {
            throw ActionException.failed("cannot read " + sysfs.deviceDirectory(address) + ": " + e.getMessage(), e);
        }
    }

    private static ActionResult result(String before, String after)
    {
        return ActionResult.newBuilder().setPciDriverBind(PciDriverBindResult.newBuilder().setDriverBefore(before).setDriverAfter(after)).build();
    }
}
