package io.rackpilot.hostagent.proxmox;

import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import io.rackpilot.sim.proxmox.ProxmoxSimulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The seed plan's Proxmox node in the simulator, and a client for it over HTTPS with an API token.
 */
final class SimulatedProxmox
        implements AutoCloseable
{
    static final String TOKEN = "rackpilot@pve!host-agent=4f1b2c3d-0000-4000-8000-5ec2e7000001";

    final ProxmoxSimulator simulator;
    final ProxmoxClient client;

    SimulatedProxmox(Path directory)
            throws IOException
    {
        HomelabPlan plan = PlanLoader.load(Path.of("..", "docs", "examples", "homelab.yaml"));
        simulator = ProxmoxSimulator.fromPlan(plan, Set.of(TOKEN), directory);
        simulator.setTaskDelay(Duration.ofMillis(50));
        Path tokenFile = Files.writeString(directory.resolve("token"), TOKEN + "\n");
        client = new ProxmoxClient(simulator.apiUrl(), simulator.node(), ProxmoxToken.read(tokenFile), simulator.caCertificate(), Duration.ofSeconds(5));
    }

    @Override
    public void close()
    {
        simulator.close();
    }
}
