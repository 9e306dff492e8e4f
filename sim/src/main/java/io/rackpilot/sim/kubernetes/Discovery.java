package io.rackpilot.sim.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.List;

/**
 * The discovery documents of the simulated API server: {@code /version}, {@code /api},
 * {@code /apis} and the resource lists of the groups it serves.
 */
final class Discovery
{
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    static final ObjectNode POLICY_RESOURCES = resourceList("policy/v1", List.of(
            resource("poddisruptionbudgets", true, "PodDisruptionBudget", List.of("get", "list"), List.of("pdb"))));
    static final ObjectNode APPS_RESOURCES = resourceList("apps/v1", List.of(
            resource("daemonsets", true, "DaemonSet", List.of("get", "list"), List.of("ds"))));

    private Discovery() {}

    static ObjectNode version()
    {
        String version = KubernetesSimulator.KUBERNETES_VERSION;
        String[] parts = version.substring(1).split("\\.");
        return JSON.objectNode()
                .put("major", parts[0])
                .put("minor", parts[1])
                .put("gitVersion", version)
                .put("gitCommit", "0000000000000000000000000000000000000000")
                .put("gitTreeState", "clean")
                .put("buildDate", "2025-11-11T00:00:00Z")
                .put("goVersion", "go1.24.9")
                .put("compiler", "gc")
                .put("platform", "linux/amd64");
    }

    static ObjectNode apiVersions(URI server)
    {
        ObjectNode versions = JSON.objectNode().put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs").addObject()
                .put("clientCIDR", "0.0.0.0/0")
                .put("serverAddress", server.getAuthority());
        return versions;
    }

    static ObjectNode groups()
    {
        ObjectNode list = JSON.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        for (String group : List.of("apps", "policy")) {
            ObjectNode entry = groups.addObject().put("name", group);
            entry.putArray("versions").addObject().put("groupVersion", group + "/v1").put("version", "v1");
            entry.putObject("preferredVersion").put("groupVersion", group + "/v1").put("version", "v1");
        }
        return list;
    }

    static ObjectNode coreResources()
    {
        return resourceList("v1", List.of(
                resource("nodes", false, "Node", List.of("get", "list", "patch", "update"), List.of("no")),
                resource("pods", true, "Pod", List.of("delete", "get", "list"), List.of("po")),
                resource("pods/eviction", true, "Eviction", List.of("create"), List.of())));
    }

    private static ObjectNode resourceList(String groupVersion, List<ObjectNode> resources)
    {
        ObjectNode list = JSON.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion);
        ArrayNode array = list.putArray("resources");
        resources.forEach(array::add);
        return list;
    }

    private static ObjectNode resource(String name, boolean namespaced, String kind, List<String> verbs, List<String> shortNames)
    {
        ObjectNode resource = JSON.objectNode()
                .put("name", name)
                .put("singularName", name.contains("/") ? "" : kind.toLowerCase(java.util.Locale.ROOT))
                .put("namespaced", namespaced)
                .put("kind", kind);
        if (name.equals("pods/eviction")) {
            resource.put("group", "policy").put("version", "v1");
        }
        ArrayNode verbArray = resource.putArray("verbs");
        verbs.forEach(verbArray::add);
        if (!shortNames.isEmpty()) {
            ArrayNode shortNameArray = resource.putArray("shortNames");
            shortNames.forEach(shortNameArray::add);
        }
        return resource;
    }
}
