package io.rackpilot.coordinator.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.Role;
import io.rackpilot.proto.v1.Target;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Every agent's metrics endpoint, for Prometheus' HTTP service discovery ({@code http_sd_configs}
 * pointed at {@code http://COORDINATOR:9450/sd/prometheus}) and for {@code rackctl targets}.
 *
 * <p>The http_sd format is a JSON list of target groups: {@code [{"targets": ["host:port"],
 * "labels": {...}}]}. Each agent is one group labelled with its id and role, so dashboards can
 * select by {@code rackpilot_agent} whatever address it has.
 */
public final class PrometheusTargets
{
    public static final String PATH = "/sd/prometheus";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentRegistry registry;

    public PrometheusTargets(AgentRegistry registry)
    {
        this.registry = requireNonNull(registry, "registry is null");
    }

    public List<Target> targets()
    {
        List<Target> targets = new ArrayList<>();
        for (AgentInfo agent : registry.agents()) {
            if (agent.getMetricsUrl().isEmpty()) {
                continue;
            }
            URI url = URI.create(agent.getMetricsUrl());
            String host = url.getHost();
            targets.add(Target.newBuilder()
                    .setAgentId(agent.getId())
                    .setRole(agent.getRole())
                    .setAddress(host + ":" + url.getPort())
                    .setMetricsUrl(agent.getMetricsUrl())
                    .setState(agent.getState())
                    .build());
        }
        return List.copyOf(targets);
    }

    public byte[] httpServiceDiscoveryJson()
    {
        ArrayNode groups = JSON.createArrayNode();
        for (Target target : targets()) {
            ObjectNode group = groups.addObject();
            group.putArray("targets").add(target.getAddress());
            ObjectNode labels = group.putObject("labels");
            labels.put("rackpilot_agent", target.getAgentId());
            labels.put("rackpilot_role", target.getRole() == Role.ROLE_HOST ? "host" : "node");
            labels.put("__metrics_path__", URI.create(target.getMetricsUrl()).getPath());
        }
        return groups.toString().getBytes(StandardCharsets.UTF_8);
    }
}
