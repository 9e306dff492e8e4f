package io.rackpilot.hostagent.pci;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDriverBindAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPci
{
    private static final String T4 = "0000:06:00.0";

    @TempDir
    Path sys;

    @Test
    void addressesAreParsedStrictly()
    {
        assertThat(PciAddress.parse("0000:06:00.0")).hasToString("0000:06:00.0");
        assertThat(PciAddress.parse("06:00.1")).hasToString("0000:06:00.1");
        assertThat(PciAddress.parse("0000:AF:1f.7").slot()).isEqualTo("0000:af:1f");
        assertThatThrownBy(() -> PciAddress.parse("0000:06:00")).hasMessageContaining("is not a PCI address");
        assertThatThrownBy(() -> PciAddress.parse("0000:06:20.0")).hasMessageContaining("device 20 is above 1f");
        assertThatThrownBy(() -> PciAddress.parse("../../etc")).hasMessageContaining("is not a PCI address");
    }

    @Test
    void readsDevicesWithDriverAndIommuGroupFromTheTree()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(sys)
                .device(T4, "0x10de", "0x1eb8", "0x030200", "vfio-pci", 42)
                .device("0000:00:1f.2", "0x8086", "0x8d02", "0x010601", "ahci", null)
                .device("0000:00:01.0", "0x8086", "0x6f02", "0x060400", "pcieport", 1);
        PciSysfs sysfs = new PciSysfs(fixture.root());
        PciDevice t4 = sysfs.device(PciAddress.parse(T4)).orElseThrow();
        assertThat(t4.getVendorId()).isEqualTo("10de");
        assertThat(t4.getDeviceId()).isEqualTo("1eb8");
        assertThat(t4.getClassCode()).isEqualTo("0x030200");
        assertThat(t4.getDriver()).isEqualTo("vfio-pci");
        assertThat(t4.getDriverOverride()).isEmpty();
        assertThat(t4.getIommuGroup()).isEqualTo(42);
        assertThat(t4.getIommuGroupPeersList()).isEmpty();
        assertThat(t4.getResetMethod()).isEqualTo("flr bus");
        PciDevice sata = sysfs.device(PciAddress.parse("0000:00:1f.2")).orElseThrow();
        assertThat(sata.hasIommuGroup()).as("no IOMMU").isFalse();

        Inventory.Builder inventory = Inventory.newBuilder();
        new PciDevicesCollector(sysfs).collect(inventory);
        assertThat(inventory.getPciDevices().getItemsList()).extracting(PciDevice::getAddress).containsExactly("0000:00:1f.2", T4);
    }

    @Test
    void theIommuGroupMayHoldTheCardsOwnFunctionsAndBridgesButNothingElse()
            throws Exception
    {
        SysfsFixture alone = new SysfsFixture(sys.resolve("alone")).device(T4, "0x10de", "0x1eb8", "0x030200", "nvidia", 42);
        assertThat(new IommuPreflight(new PciSysfs(alone.root())).check(PciAddress.parse(T4)).allowed()).isTrue();

        SysfsFixture withAudio = new SysfsFixture(sys.resolve("audio"))
                .device(T4, "0x10de", "0x1eb8", "0x030200", "nvidia", 42)
                .device("0000:06:00.1", "0x10de", "0x10fa", "0x040300", "snd_hda_intel", 42)
                .device("0000:00:03.0", "0x8086", "0x6f08", "0x060400", "pcieport", 42);
        IommuPreflight.Result withCompanion = new IommuPreflight(new PciSysfs(withAudio.root())).check(PciAddress.parse(T4));
        assertThat(withCompanion.allowed()).isTrue();
        assertThat(withCompanion.companions()).containsExactly("0000:06:00.1");

        SysfsFixture shared = new SysfsFixture(sys.resolve("shared"))
                .device(T4, "0x10de", "0x1eb8", "0x030200", "nvidia", 42)
                .device("0000:07:00.0", "0x8086", "0x1521", "0x020000", "igb", 42);
        IommuPreflight.Result refused = new IommuPreflight(new PciSysfs(shared.root())).check(PciAddress.parse(T4));
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.unrelated()).containsExactly("0000:07:00.0");

        assertThatThrownBy(() -> new IommuPreflight(new PciSysfs(alone.root())).check(PciAddress.parse("0000:09:00.0"))).hasMessageContaining("no PCI device 0000:09:00.0");
    }

    @Test
    void bindingToVfioAndBackWritesWhatTheKernelExpectsInOrder()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(sys).device(T4, "0x10de", "0x1eb8", "0x030200", "nvidia", 42);
        PciDriverBindHandler handler = new PciDriverBindHandler(new PciSysfs(fixture.root()), fixture);

        PreparedAction toVfio = handler.prepare(bind(T4, "vfio-pci"));
        assertThat(toVfio.alreadyInPlace()).isFalse();
        assertThat(toVfio.summary()).isEqualTo("bind 0000:06:00.0 (now nvidia) to vfio-pci");
        PreparedAction.Applied applied = toVfio.apply();
        assertThat(applied.changed()).isTrue();
        assertThat(applied.result().getPciDriverBind().getDriverAfter()).isEqualTo("vfio-pci");
        assertThat(fixture.writes).containsExactly(
                "bus/pci/devices/0000:06:00.0/driver_override <- vfio-pci",
                "bus/pci/devices/0000:06:00.0/driver/unbind <- 0000:06:00.0",
                "bus/pci/drivers_probe <- 0000:06:00.0");
        assertThat(fixture.driverOf(T4)).isEqualTo("vfio-pci");

        fixture.writes.clear();
        assertThat(handler.prepare(bind(T4, "vfio-pci")).alreadyInPlace()).as("idempotent").isTrue();
        assertThat(fixture.writes).isEmpty();

        PreparedAction back = handler.prepare(bind(T4, ""));
        back.apply();
        assertThat(fixture.driverOf(T4)).isEqualTo("nvidia");
        assertThat(fixture.writes).containsExactly(
                "bus/pci/devices/0000:06:00.0/driver_override <- ",
                "bus/pci/devices/0000:06:00.0/driver/unbind <- 0000:06:00.0",
                "bus/pci/drivers_probe <- 0000:06:00.0");
    }

    @Test
    void aBindThatDoesNotTakeIsAFailure()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(sys).device(T4, "0x10de", "0x1eb8", "0x030200", "nvidia", 42);
        // a kernel without vfio-pci: probing leaves the device unbound
        SysfsWriter noVfio = (attribute, value) -> {
            if (!attribute.getFileName().toString().equals("drivers_probe")) {
                fixture.write(attribute, value);
            }
        };
        PciDriverBindHandler handler = new PciDriverBindHandler(new PciSysfs(fixture.root()), noVfio);
        assertThatThrownBy(() -> handler.prepare(bind(T4, "vfio-pci")).apply())
                .isInstanceOf(ActionException.class)
                .hasMessageContaining("is bound to no driver, not vfio-pci (is the vfio-pci module loaded?)");
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(sys).device(T4, "0x10de", "0x1eb8", "0x030200", "nvidia", 42);
        PciDriverBindHandler handler = new PciDriverBindHandler(new PciSysfs(fixture.root()), fixture);
        assertThatThrownBy(() -> handler.prepare(bind("06:00", "vfio-pci"))).hasMessageStartingWith("address: '06:00' is not a PCI address");
        assertThatThrownBy(() -> handler.prepare(bind(T4, "nouveau"))).hasMessageStartingWith("driver: 'nouveau' is not allowed");
        assertThatThrownBy(() -> handler.prepare(bind("0000:09:00.0", "vfio-pci"))).hasMessage("address: no PCI device 0000:09:00.0 on this host");
        assertThat(fixture.writes).isEmpty();
        assertThat(fixture.driverOf(T4)).isEqualTo("nvidia");
    }

    private static Action bind(String address, String driver)
    {
        return Action.newBuilder().setPciDriverBind(PciDriverBindAction.newBuilder().setAddress(address).setDriver(driver)).build();
    }
}
