package io.rackpilot.sim.kubernetes;

import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.Network;
import io.rackpilot.plan.Taint;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.plan.VirtualMachineRole;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Seeds a simulator with the plan's cluster as the homelab has it today.
 *
 * <p>One Node per Kubernetes VM (name from the plan, systemUUID the VM's SMBIOS UUID, InternalIP
 * its IP, or for a VM without one the address {@code vmid - 100} in the subnet of its first
 * network), the control plane labelled {@code node-role.kubernetes.io/control-plane}; the node of
 * a VM the plan gives GPUs has {@code nvidia.com/gpu} capacity and the plan's GPU node taints and
 * labels. Pods: a {@code kube-proxy} DaemonSet pod on every node; on the control plane the mirror
 * pods {@code etcd-NODE} and {@code kube-apiserver-NODE}; on every worker the NVIDIA device plugin
 * DaemonSet pod {@code nvidia-device-plugin-daemonset-...} (labels {@code name=nvidia-device-plugin-ds}
 * and {@code app.kubernetes.io/name=nvidia-device-plugin}) and the GPU feature discovery pod
 * {@code gpu-feature-discovery-...} ({@code app.kubernetes.io/name=gpu-feature-discovery}), as a
 * chart without a GPU node selector places them, so that a card moved to any worker is picked up
 * once its device plugin restarts; on the first GPU node {@code ml/ollama-0} and
 * {@code media/jellyfin-transcode-...} (each limited to one {@code nvidia.com/gpu}) and
 * {@code default/web-...}; more {@code default/web-...} pods on the other workers; the
 * PodDisruptionBudget {@code ml/ollama} (minAvailable 1, app=ollama) that blocks evictions for
 * {@link KubernetesSimulator#DEFAULT_PDB_BLOCK} from the first attempt.
 */
final class PlanCluster
{
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private PlanCluster() {}

    static void seed(HomelabPlan plan, KubernetesSimulator simulator)
    {
        List<String> gpuNodes = new ArrayList<>();
        List<String> workers = new ArrayList<>();
        Optional<String> controlPlane = Optional.empty();
        for (VirtualMachine vm : plan.kubernetesVms()) {
            String name = vm.nodeName().orElseThrow();
            Map<String, String> labels = new TreeMap<>();
            List<Taint> taints = new ArrayList<>();
            Map<String, String> capacity = new TreeMap<>();
            capacity.put("cpu", Integer.toString(vm.cores()));
            capacity.put("memory", (vm.memory().bytes() / 1024) + "Ki");
            capacity.put("pods", "110");
            if (vm.role() == VirtualMachineRole.KUBERNETES_CONTROL_PLANE) {
                labels.put("node-role.kubernetes.io/control-plane", "");
                labels.put("node.kubernetes.io/exclude-from-external-load-balancers", "");
                controlPlane = Optional.of(name);
            }
            else {
                workers.add(name);
            }
            List<Gpu> gpus = plan.gpusOf(vm.vmid());
            if (!gpus.isEmpty()) {
                capacity.put("nvidia.com/gpu", Integer.toString(gpus.size()));
                labels.putAll(plan.spec().gpuNodePolicy().labels());
                taints.addAll(plan.spec().gpuNodePolicy().taints());
                gpuNodes.add(name);
            }
            String uuid = vm.smbiosUuid().orElseGet(() -> String.format("00000000-0000-4000-8000-%012d", vm.vmid()));
            simulator.addNode(new SimulatedNode(name, uuid, internalIp(plan, vm), labels, taints, capacity));
        }

        OwnerReference kubeProxy = simulator.addDaemonSet("kube-system", "kube-proxy", Map.of("k8s-app", "kube-proxy"));
        for (VirtualMachine vm : plan.kubernetesVms()) {
            String node = vm.nodeName().orElseThrow();
            simulator.addPod(SimulatedPod.of("kube-system", "kube-proxy-" + suffix("kube-proxy/" + node, 5), node)
                    .withLabels(Map.of("k8s-app", "kube-proxy", "controller-revision-hash", "6d4b7f9c8d", "pod-template-generation", "1"))
                    .withOwner(kubeProxy));
        }
        controlPlane.ifPresent(node -> {
            String nodeUid = simulator.node(node).orElseThrow().at("/metadata/uid").asText();
            for (String component : List.of("etcd", "kube-apiserver")) {
                simulator.addPod(SimulatedPod.of("kube-system", component + "-" + node, node)
                        .withLabels(Map.of("component", component, "tier", "control-plane"))
                        .withAnnotations(Map.of(
                                "kubernetes.io/config.mirror", suffix("mirror/" + component, 32),
                                "kubernetes.io/config.source", "file",
                                "kubernetes.io/config.hash", suffix("mirror/" + component, 32)))
                        .withOwner(new OwnerReference("v1", "Node", node, nodeUid, true))
                        .withTerminationGracePeriod(Duration.ofSeconds(30)));
            }
        });

        OwnerReference devicePlugin = simulator.addDaemonSet("kube-system", "nvidia-device-plugin-daemonset", Map.of("name", "nvidia-device-plugin-ds"));
        OwnerReference featureDiscovery = simulator.addDaemonSet("kube-system", "gpu-feature-discovery", Map.of("app.kubernetes.io/name", "gpu-feature-discovery"));
        for (String node : workers) {
            simulator.addPod(SimulatedPod.of("kube-system", "nvidia-device-plugin-daemonset-" + suffix("device-plugin/" + node, 5), node)
                    .withLabels(Map.of("name", "nvidia-device-plugin-ds", "app.kubernetes.io/name", "nvidia-device-plugin",
                            "controller-revision-hash", "5f8b9c7d64", "pod-template-generation", "1"))
                    .withOwner(devicePlugin));
            simulator.addPod(SimulatedPod.of("kube-system", "gpu-feature-discovery-" + suffix("feature-discovery/" + node, 5), node)
                    .withLabels(Map.of("app.kubernetes.io/name", "gpu-feature-discovery", "controller-revision-hash", "7c6d5b8f49", "pod-template-generation", "1"))
                    .withOwner(featureDiscovery));
        }
        if (!gpuNodes.isEmpty()) {
            String gpuNode = gpuNodes.get(0);
            simulator.addPod(SimulatedPod.of("ml", "ollama-0", gpuNode)
                    .withLabels(Map.of("app", "ollama", "apps.kubernetes.io/pod-index", "0", "statefulset.kubernetes.io/pod-name", "ollama-0"))
                    .withOwner(new OwnerReference("apps/v1", "StatefulSet", "ollama", uid("statefulset/ml/ollama"), true))
                    .withLimits(Map.of("nvidia.com/gpu", "1")));
            String transcodeHash = suffix("replicaset/media/jellyfin-transcode", 10);
            simulator.addPod(SimulatedPod.of("media", "jellyfin-transcode-" + transcodeHash + "-" + suffix("pod/jellyfin-transcode", 5), gpuNode)
                    .withLabels(Map.of("app", "jellyfin-transcode", "pod-template-hash", transcodeHash))
                    .withOwner(new OwnerReference("apps/v1", "ReplicaSet", "jellyfin-transcode-" + transcodeHash, uid("replicaset/media/jellyfin-transcode"), true))
                    .withLimits(Map.of("nvidia.com/gpu", "1")));
            simulator.addPodDisruptionBudget("ollama", "ml", Map.of("app", "ollama"), 1, Optional.of(KubernetesSimulator.DEFAULT_PDB_BLOCK));
        }
        String webHash = suffix("replicaset/default/web", 10);
        OwnerReference web = new OwnerReference("apps/v1", "ReplicaSet", "web-" + webHash, uid("replicaset/default/web"), true);
        List<String> webNodes = new ArrayList<>(gpuNodes.isEmpty() ? List.of() : List.of(gpuNodes.get(0)));
        workers.stream().filter(node -> !gpuNodes.contains(node)).limit(2).forEach(webNodes::add);
        for (String node : webNodes) {
            simulator.addPod(SimulatedPod.of("default", "web-" + webHash + "-" + suffix("web/" + node, 5), node)
                    .withLabels(Map.of("app", "web", "pod-template-hash", webHash))
                    .withOwner(web));
        }
    }

    private static Optional<String> internalIp(HomelabPlan plan, VirtualMachine vm)
    {
        if (vm.ip().isPresent()) {
            return vm.ip();
        }
        if (vm.networks().isEmpty()) {
            return Optional.empty();
        }
        Optional<Network> network = plan.spec().networks().stream().filter(candidate -> candidate.carries(vm.networks().get(0))).findFirst();
        int host = vm.vmid() - 100;
        if (network.isEmpty() || host < 1 || host > 254 || !network.get().cidr().endsWith("/24")) {
            return Optional.empty();
        }
        String base = network.get().cidr().substring(0, network.get().cidr().indexOf('/'));
        return Optional.of(base.substring(0, base.lastIndexOf('.') + 1) + host);
    }

    /**
     * A deterministic name suffix in the alphabet Kubernetes uses for generated names.
     */
    private static String suffix(String seed, int length)
    {
        byte[] digest = sha256(seed);
        StringBuilder suffix = new StringBuilder();
        for (int index = 0; index < length; index++) {
            suffix.append(ALPHABET.charAt((digest[index % digest.length] & 0xff) % ALPHABET.length()));
        }
        return suffix.toString();
    }

    private static String uid(String seed)
    {
        return java.util.UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static byte[] sha256(String text)
    {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
