package io.rackpilot.common.metrics;

import java.time.Duration;

/**
 * A registry shaped like a coordinator's plus a node-agent's: about 200 series.
 */
final class RealisticMetrics
{
    static final int FAMILIES = 15;
    static final int SERIES = 191;

    private static final String[] ACTIONS = {
            "agent.ping", "inventory.refresh", "gpu.move", "vm.start", "vm.stop", "vm.hostpci.set", "node.cordon", "node.drain", "node.taint", "nfs.export"};
    private static final String[] OUTCOMES = {"succeeded", "failed", "cancelled"};
    private static final String[] VMS = {"k8s-cp1", "k8s-cp2", "k8s-cp3", "k8s-node1", "k8s-node2", "dns", "nfs", "gitlab", "backup"};

    private RealisticMetrics() {}

    static Metrics agentAndCoordinator()
    {
        Metrics metrics = new Metrics();
        metrics.info("rackpilot_agent_info", "The agent's identity and version.", Labels.of("id", "k8s-node1", "role", "node", "version", "0.1.0"));
        metrics.gauge("rackpilot_agent_connected", "1 when the agent's stream to the coordinator is up, else 0.", Labels.empty(), () -> 1);
        metrics.counter("rackpilot_agent_reconnects_total", "Times the agent's stream to the coordinator ended after it was up.", Labels.empty()).inc(2);
        metrics.gauge("rackpilot_machine_memory_total_bytes", "Physical memory of the machine.", Labels.empty(), () -> 34_359_738_368L);
        metrics.gauge("rackpilot_machine_cpu_usage_ratio", "Share of the machine's CPU time spent busy.", Labels.empty(), () -> 0.125);
        long step = 1;
        for (String action : ACTIONS) {
            for (String outcome : OUTCOMES) {
                metrics.counter("rackpilot_commands_total", "Commands carried out, by action and outcome.", Labels.of("action", action, "outcome", outcome)).inc(step++);
            }
            metrics.timer("rackpilot_command_duration_seconds", "How long commands took, by action.", Labels.of("action", action))
                    .update(Duration.ofMillis(10 * step));
        }
        for (int gpu = 0; gpu < 4; gpu++) {
            String uuid = "GPU-5f0b2a1c-0000-0000-0000-00000000000" + gpu;
            double base = gpu;
            metrics.info("rackpilot_gpu_info", "A GPU seen through NVML.", Labels.of("uuid", uuid, "pci_bus_id", "00000000:0" + gpu + ":10.0", "name", "Tesla T4"));
            metrics.gauge("rackpilot_gpu_temperature_celsius", "GPU temperature.", Labels.of("uuid", uuid), () -> 40 + base);
            metrics.gauge("rackpilot_gpu_power_watts", "GPU power draw.", Labels.of("uuid", uuid), () -> 27.5 + base);
            metrics.gauge("rackpilot_gpu_memory_used_bytes", "GPU memory in use.", Labels.of("uuid", uuid), () -> 1_073_741_824L);
            metrics.gauge("rackpilot_gpu_utilization_ratio", "GPU busy share.", Labels.of("uuid", uuid), () -> 0.5);
        }
        for (String vm : VMS) {
            metrics.info("rackpilot_vm_info", "A virtual machine on the Proxmox host.", Labels.of("vm", vm, "vmid", String.valueOf(100 + vm.length()), "node", "pve"));
            metrics.gauge("rackpilot_vm_running", "1 when the VM runs.", Labels.of("vm", vm), () -> 1);
            for (String kind : new String[] {"cpu", "memory", "disk", "network", "gpu", "hostpci", "smbios", "agent", "uptime", "config", "pending", "lock"}) {
                metrics.gauge("rackpilot_vm_checks", "Checks on a VM, by kind, 1 when passing.", Labels.of("vm", vm, "check", kind), () -> 1);
            }
        }
        return metrics;
    }
}
