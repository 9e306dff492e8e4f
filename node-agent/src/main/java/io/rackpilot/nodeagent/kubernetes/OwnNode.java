package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.inventory.SystemUuid;
import io.rackpilot.agent.inventory.SystemUuidSource;
import io.rackpilot.proto.v1.KubernetesNodeInfo.FoundBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Which Kubernetes Node this machine is, with no host name written anywhere: the name from the
 * configuration if there is one, else the Node whose {@code status.nodeInfo.systemUUID} is this
 * machine's SMBIOS UUID (Proxmox's {@code smbios1: uuid=} of the VM), else, when this machine has
 * no readable UUID, the Node whose InternalIP is one of this machine's addresses. A name found is
 * kept and checked again at every look; a Node that went away or no longer matches is looked for
 * anew.
 */
public final class OwnNode
{
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private final KubernetesConnection connection;
    private final Optional<String> configuredName;
    private final SystemUuidSource uuidSource;
    private final Supplier<Set<InetAddress>> localAddresses;
    private NodeLocation location = NodeLocation.notFound("not looked for yet");
    private Optional<Node> lastRead = Optional.empty();

    public OwnNode(KubernetesConnection connection, Optional<String> configuredName, SystemUuidSource uuidSource, Supplier<Set<InetAddress>> localAddresses)
    {
        this.connection = requireNonNull(connection, "connection is null");
        this.configuredName = requireNonNull(configuredName, "configuredName is null");
        this.uuidSource = requireNonNull(uuidSource, "uuidSource is null");
        this.localAddresses = requireNonNull(localAddresses, "localAddresses is null");
    }

    public synchronized NodeLocation location()
    {
        return location;
    }

    /**
     * Looks for the Node (one API call when the name is known, a list of the Nodes otherwise) and
     * remembers the answer.
     */
    public synchronized NodeLocation locate()
    {
        Optional<KubernetesApi> api = connection.api();
        lastRead = Optional.empty();
        if (api.isEmpty()) {
            location = NodeLocation.notConfigured(connection.problem());
            return location;
        }
        try {
            location = locate(api.get());
        }
        catch (KubernetesApiException e) {
            location = NodeLocation.unreachable(location.nodeName(), e.getMessage());
        }
        return location;
    }

    private NodeLocation locate(KubernetesApi api)
            throws KubernetesApiException
    {
        if (configuredName.isPresent()) {
            String name = configuredName.get();
            lastRead = api.node(name);
            return lastRead.isPresent()
                    ? NodeLocation.found(name, FoundBy.FOUND_BY_CONFIG)
                    : NodeLocation.notFound("kubernetes.nodeName is " + name + ", but the API server has no Node of that name");
        }
        SystemUuid uuid = uuidSource.read();
        if (location.isFound()) {
            Optional<Node> known = api.node(location.nodeName().get());
            if (known.isPresent() && matches(known.get(), uuid, location.foundBy())) {
                lastRead = known;
                return location;
            }
        }
        List<Node> nodes = api.nodes();
        if (uuid.uuid().isPresent()) {
            String wanted = uuid.uuid().get();
            List<String> matching = names(nodes, node -> wanted.equalsIgnoreCase(systemUuid(node)));
            if (matching.size() == 1) {
                lastRead = named(nodes, matching.get(0));
                return NodeLocation.found(matching.get(0), FoundBy.FOUND_BY_SYSTEM_UUID);
            }
            if (matching.size() > 1) {
                return NodeLocation.notFound(matching.size() + " Nodes report system UUID " + wanted + " (" + String.join(", ", matching)
                        + "): cloned VMs? give each VM its own smbios1 uuid, or set kubernetes.nodeName");
            }
            return NodeLocation.notFound("no Node has status.nodeInfo.systemUUID " + wanted + " (this machine's SMBIOS UUID, from " + uuid.source()
                    + ") among " + nodes.size() + " Nodes; is the kubelet running here? Or set kubernetes.nodeName");
        }
        Set<InetAddress> addresses = localAddresses.get();
        List<String> matching = names(nodes, node -> internalIps(node).stream().anyMatch(addresses::contains));
        if (matching.size() == 1) {
            lastRead = named(nodes, matching.get(0));
            return NodeLocation.found(matching.get(0), FoundBy.FOUND_BY_INTERNAL_IP);
        }
        String why = "this machine's SMBIOS UUID is unknown (" + uuid.source() + ")";
        if (matching.size() > 1) {
            return NodeLocation.notFound(why + " and " + matching.size() + " Nodes have an InternalIP of this machine (" + String.join(", ", matching) + "); set kubernetes.nodeName");
        }
        return NodeLocation.notFound(why + " and no Node's InternalIP is one of this machine's addresses; set kubernetes.nodeName");
    }

    /**
     * The Node as the last {@link #locate()} read it, when it found it: the report uses it rather
     * than reading the Node again.
     */
    public synchronized Optional<Node> lastRead()
    {
        return lastRead;
    }

    private static Optional<Node> named(List<Node> nodes, String name)
    {
        return nodes.stream().filter(node -> node.getMetadata().getName().equals(name)).findFirst();
    }

    /**
     * The Node's name, for an action: refuses, with the reason, while the agent has not found it.
     */
    public String requireName()
            throws ActionException
    {
        NodeLocation current = location();
        if (!current.isFound()) {
            current = locate();
        }
        if (!current.isFound()) {
            throw ActionException.rejected("this agent has not found its Kubernetes Node: " + current.problem());
        }
        return current.nodeName().get();
    }

    public KubernetesApi requireApi()
            throws ActionException
    {
        return connection.api().orElseThrow(() -> ActionException.rejected("this agent cannot reach Kubernetes: " + connection.problem()));
    }

    private boolean matches(Node node, SystemUuid uuid, FoundBy foundBy)
    {
        if (foundBy == FoundBy.FOUND_BY_SYSTEM_UUID) {
            return uuid.uuid().map(value -> value.equalsIgnoreCase(systemUuid(node))).orElse(false);
        }
        Set<InetAddress> addresses = localAddresses.get();
        return internalIps(node).stream().anyMatch(addresses::contains);
    }

    private static String systemUuid(Node node)
    {
        if (node.getStatus() == null || node.getStatus().getNodeInfo() == null || node.getStatus().getNodeInfo().getSystemUUID() == null) {
            return "";
        }
        return node.getStatus().getNodeInfo().getSystemUUID().strip().toLowerCase(Locale.ROOT);
    }

    private static List<InetAddress> internalIps(Node node)
    {
        List<InetAddress> addresses = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress address : node.getStatus().getAddresses()) {
                if ("InternalIP".equals(address.getType()) && address.getAddress() != null) {
                    literal(address.getAddress()).ifPresent(addresses::add);
                }
            }
        }
        return addresses;
    }

    /**
     * An IP address literal, never a name to resolve.
     */
    private static Optional<InetAddress> literal(String text)
    {
        if (!IP_LITERAL.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        }
        catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static List<String> names(List<Node> nodes, Predicate<Node> matching)
    {
        return nodes.stream().filter(matching).map(node -> node.getMetadata().getName()).sorted().toList();
    }
}
