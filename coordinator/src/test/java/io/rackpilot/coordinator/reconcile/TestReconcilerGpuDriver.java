package io.rackpilot.coordinator.reconcile;

import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.DriftItem;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDriverBindAction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host driver grabbed the card: the reconciler rebinds it to the plan's driver (vfio-pci) when
 * nothing on the host holds it, and otherwise names the holders.
 */
class TestReconcilerGpuDriver
{
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final Reconciler ENFORCING = new Reconciler(ReconcileMode.parse(Map.of(), "reconcile.mode"), Duration.ofMinutes(2));

    @Test
    void aCardOnTheHostDriverIsReboundWhenNothingHoldsIt()
    {
        Homelabs homelab = onDriver("nvidia", List.of()).hostCapabilities(withBind());
        Reconciliation reconciliation = compute(homelab);
        DriftItem item = driftOf(reconciliation);
        assertThat(item.getSubject()).isEqualTo("tesla-t4 0000:06:00.0");
        assertThat(item.getExpected()).isEqualTo("vfio-pci");
        assertThat(item.getActual()).isEqualTo("nvidia");
        assertThat(item.getEnforced()).isTrue();
        assertThat(reconciliation.actions()).containsExactly(new ReconcileAction.AgentCommand(DriftKind.GPU_DRIVER, Homelabs.HOST, Action.newBuilder()
                .setPciDriverBind(PciDriverBindAction.newBuilder().setAddress("0000:06:00.0").setDriver("vfio-pci")).build()));
    }

    @Test
    void aHeldCardIsReportedWithItsHoldersNotRebound()
    {
        Reconciliation reconciliation = compute(onDriver("nvidia", List.of("1234 nvidia-persistenced")).hostCapabilities(withBind()));
        assertThat(driftOf(reconciliation).getDetail()).contains("held on the host by 1234 nvidia-persistenced");
        assertThat(reconciliation.actions()).noneMatch(action -> action.kind() == DriftKind.GPU_DRIVER);
    }

    @Test
    void withoutTheBindActionOrInObserveModeNothingIsIssued()
    {
        Reconciliation reconciliation = compute(onDriver("", List.of()));
        assertThat(driftOf(reconciliation).getActual()).isEqualTo("no driver");
        assertThat(driftOf(reconciliation).getDetail()).contains("does not carry out pci.driver.bind");
        assertThat(reconciliation.actions()).noneMatch(action -> action.kind() == DriftKind.GPU_DRIVER);

        Reconciler observing = new Reconciler(ReconcileMode.parse(Map.of("gpu-driver", "observe"), "reconcile.mode"), Duration.ofMinutes(2));
        Homelabs homelab = onDriver("nouveau", List.of()).hostCapabilities(withBind());
        Reconciliation observed = observing.compute(homelab.plan(), 1, homelab.build(), NOW);
        assertThat(driftOf(observed).getEnforced()).isFalse();
        assertThat(observed.actions()).noneMatch(action -> action.kind() == DriftKind.GPU_DRIVER);
    }

    @Test
    void aCardOnVfioPciIsNoDrift()
    {
        Reconciliation reconciliation = compute(Homelabs.inSync(NOW).hostCapabilities(withBind()));
        assertThat(reconciliation.drift()).noneMatch(item -> item.getKind().equals("gpu-driver"));
    }

    private static Homelabs onDriver(String driver, List<String> holders)
    {
        Homelabs homelab = Homelabs.inSync(NOW);
        PciDevice device = homelab.build().pciDevice("pve", "0000:06:00.0").orElseThrow();
        return homelab.gpuDevice(Optional.of(device.toBuilder().setDriver(driver).clearHolders().addAllHolders(holders).build()));
    }

    private static List<String> withBind()
    {
        List<String> capabilities = new ArrayList<>(Homelabs.HOST_CAPABILITIES);
        capabilities.add("pci.driver.bind");
        return capabilities;
    }

    private static DriftItem driftOf(Reconciliation reconciliation)
    {
        return reconciliation.drift().stream().filter(item -> item.getKind().equals("gpu-driver")).findFirst().orElseThrow();
    }

    private static Reconciliation compute(Homelabs homelab)
    {
        return ENFORCING.compute(homelab.plan(), 1, homelab.build(), NOW);
    }
}
