package io.rackpilot.plan.validation;

import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.DataSize;
import io.rackpilot.common.nfs.NfsExportRules;
import io.rackpilot.plan.Cpu;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.GpuNodePolicy;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.Network;
import io.rackpilot.plan.NetworkAttachment;
import io.rackpilot.plan.NfsClient;
import io.rackpilot.plan.NfsExport;
import io.rackpilot.plan.PlanLoader;
import io.rackpilot.plan.PlanLocations;
import io.rackpilot.plan.PlanSpec;
import io.rackpilot.plan.Taint;
import io.rackpilot.plan.VirtualMachine;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Checks a homelab plan: first its shape ({@link PlanLoader}, which stops at the first problem),
 * then what it means across sections, reporting every problem with the line of the key it is
 * about. The checks are listed in {@code docs/plan.md} under "Validation".
 */
public final class PlanValidator
{
    /**
     * Up to this many VM cores per host thread is ordinary CPU over-commit.
     */
    static final int CORES_PER_THREAD_WARNING = 4;

    private PlanValidator() {}

    /**
     * Reads and validates a plan file; a file that cannot be read is one error without a line.
     */
    public static PlanValidation validate(Path file)
    {
        requireNonNull(file, "file is null");
        String sourceName = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (NoSuchFileException e) {
            return unreadable(sourceName, "file does not exist");
        }
        catch (AccessDeniedException e) {
            return unreadable(sourceName, "permission denied");
        }
        catch (CharacterCodingException e) {
            return unreadable(sourceName, "not a UTF-8 text file");
        }
        catch (IOException e) {
            return unreadable(sourceName, Files.isDirectory(file) ? "is a directory" : String.valueOf(e.getMessage()));
        }
        return validate(text, sourceName);
    }

    /**
     * @param sourceName stands for the file in findings
     */
    public static PlanValidation validate(String yaml, String sourceName)
    {
        requireNonNull(yaml, "yaml is null");
        requireNonNull(sourceName, "sourceName is null");
        HomelabPlan plan;
        try {
            plan = PlanLoader.parse(yaml, sourceName);
        }
        catch (ConfigException e) {
            return new PlanValidation(Optional.empty(), List.of(shapeError(e, sourceName)), List.of());
        }
        Checks checks = new Checks(plan.spec(), PlanLocations.of(yaml), sourceName);
        checks.run();
        List<PlanFinding> errors = inLineOrder(checks.errors);
        List<PlanFinding> warnings = inLineOrder(checks.warnings);
        return new PlanValidation(errors.isEmpty() ? Optional.of(plan) : Optional.empty(), errors, warnings);
    }

    private static PlanValidation unreadable(String sourceName, String reason)
    {
        return new PlanValidation(Optional.empty(), List.of(PlanFinding.error(sourceName, 0, "", "cannot read: " + reason)), List.of());
    }

    private static PlanFinding shapeError(ConfigException exception, String sourceName)
    {
        String field = exception.fieldPath();
        String message = exception.problem();
        if (!field.isEmpty() && message.startsWith(field + ": ")) {
            message = message.substring(field.length() + 2);
        }
        return PlanFinding.error(sourceName, exception.line(), field, message);
    }

    private static List<PlanFinding> inLineOrder(List<PlanFinding> findings)
    {
        return findings.stream().sorted(Comparator.comparingInt(PlanFinding::line)).toList();
    }

    private static final class Checks
    {
        private final PlanSpec spec;
        private final PlanLocations locations;
        private final String sourceName;
        private final List<PlanFinding> errors = new ArrayList<>();
        private final List<PlanFinding> warnings = new ArrayList<>();

        Checks(PlanSpec spec, PlanLocations locations, String sourceName)
        {
            this.spec = spec;
            this.locations = locations;
            this.sourceName = sourceName;
        }

        void run()
        {
            for (int index = 0; index < spec.vms().size(); index++) {
                checkInterfaces(index, spec.vms().get(index));
                checkAddress(index, spec.vms().get(index));
                checkAgentMatch(index, spec.vms().get(index));
            }
            checkGpus();
            checkGpuNodePolicy(spec.gpuNodePolicy());
            checkNfsExports();
            checkNfsClients();
            checkMemory();
            checkCores();
        }

        private void checkInterfaces(int vmIndex, VirtualMachine vm)
        {
            for (int index = 0; index < vm.networks().size(); index++) {
                NetworkAttachment attachment = vm.networks().get(index);
                if (networkOf(attachment).isPresent()) {
                    continue;
                }
                String subject = "interface net" + index + " of VM " + vm.vmid() + " (" + vm.name() + ") is on " + describe(attachment);
                List<Network> onBridge = spec.networks().stream().filter(network -> network.bridge().equals(attachment.bridge())).toList();
                String message;
                if (spec.networks().isEmpty()) {
                    message = subject + ", but spec.networks declares no network";
                }
                else if (onBridge.isEmpty()) {
                    message = subject + ", but no network in spec.networks is on bridge " + attachment.bridge()
                            + " (the bridges are " + spec.networks().stream().map(Network::bridge).distinct().collect(Collectors.joining(", ")) + ")";
                }
                else {
                    message = subject + ", but no network in spec.networks is (" + attachment.bridge() + " carries "
                            + onBridge.stream().map(network -> network.vlan().isPresent() ? "vlan " + network.vlan().getAsInt() : "untagged").collect(Collectors.joining(", ")) + ")";
                }
                error(path("spec", "vms", vmIndex, "networks", index), message);
            }
        }

        private void checkAddress(int vmIndex, VirtualMachine vm)
        {
            if (vm.ip().isEmpty()) {
                return;
            }
            String ip = vm.ip().get();
            String field = path("spec", "vms", vmIndex, "ip");
            if (vm.networks().isEmpty()) {
                error(field, ip + " is on no network: the VM has no network interface (networks)");
                return;
            }
            List<String> candidates = new ArrayList<>();
            for (int index = 0; index < vm.networks().size(); index++) {
                NetworkAttachment attachment = vm.networks().get(index);
                Optional<Network> network = networkOf(attachment);
                if (network.isEmpty()) {
                    continue;
                }
                if (Subnet.parse(network.get().cidr()).map(subnet -> subnet.contains(ip)).orElse(false)) {
                    return;
                }
                candidates.add(network.get().cidr() + ", the network of its interface net" + index + " (" + describe(attachment) + ")");
            }
            if (candidates.isEmpty()) {
                // every interface is on an undeclared network, which is reported already
                return;
            }
            if (candidates.size() == 1) {
                error(field, ip + " is not inside " + candidates.get(0));
            }
            else {
                error(field, ip + " is not inside any network of its interfaces: " + String.join("; ", candidates));
            }
        }

        private void checkAgentMatch(int vmIndex, VirtualMachine vm)
        {
            if (vm.isKubernetesNode() && vm.smbiosUuid().isEmpty() && vm.ip().isEmpty()) {
                warning(path("spec", "vms", vmIndex),
                        "Kubernetes node " + vm.nodeName().orElseThrow() + " has neither smbiosUuid nor ip, so the coordinator can match its agent to VM " + vm.vmid() + " only by name");
            }
        }

        private void checkGpus()
        {
            Map<String, Integer> mappings = new HashMap<>();
            for (int index = 0; index < spec.gpus().size(); index++) {
                Gpu gpu = spec.gpus().get(index);
                if (!gpu.host().equals(spec.host().name())) {
                    error(path("spec", "gpus", index, "host"), "GPU " + gpu.id() + " is in host " + gpu.host() + ", but the plan's host (spec.host.name) is " + spec.host().name());
                }
                Integer earlier = mappings.putIfAbsent(gpu.mapping(), index);
                if (earlier != null) {
                    error(path("spec", "gpus", index, "mapping"), "mapping " + gpu.mapping() + " is already the mapping of spec.gpus[" + earlier + "] ("
                            + spec.gpus().get(earlier).id() + "): a card can be given to one VM only");
                }
                if (gpu.vm().isEmpty()) {
                    continue;
                }
                int vmid = gpu.vm().getAsInt();
                Optional<VirtualMachine> vm = spec.vms().stream().filter(candidate -> candidate.vmid() == vmid).findFirst();
                String field = path("spec", "gpus", index, "vm");
                if (vm.isEmpty()) {
                    error(field, "GPU " + gpu.id() + " is given to VM " + vmid + ", but no VM in spec.vms has that vmid");
                }
                else if (gpu.pcie() && !vm.get().isKubernetesNode()) {
                    warning(field, "GPU " + gpu.id() + " is given to VM " + vmid + " (" + vm.get().name() + "), which is not a Kubernetes node, so Kubernetes cannot use it");
                }
            }
        }

        private void checkGpuNodePolicy(GpuNodePolicy policy)
        {
            Map<String, Integer> keysAndEffects = new HashMap<>();
            for (int index = 0; index < policy.taints().size(); index++) {
                Taint taint = policy.taints().get(index);
                int taintIndex = index;
                KubernetesNames.qualifiedNameProblem(taint.key()).ifPresent(problem ->
                        error(path("spec", "gpuNodePolicy", "taints", taintIndex, "key"), "\"" + taint.key() + "\" is not a valid taint key: " + problem));
                KubernetesNames.labelValueProblem(taint.value()).ifPresent(problem ->
                        error(path("spec", "gpuNodePolicy", "taints", taintIndex, "value"), "\"" + taint.value() + "\" is not a valid taint value: " + problem));
                Integer earlier = keysAndEffects.putIfAbsent(taint.key() + ":" + taint.effect().kubernetesName(), index);
                if (earlier != null) {
                    error(path("spec", "gpuNodePolicy", "taints", index), "a taint with key " + taint.key() + " and effect " + taint.effect().kubernetesName()
                            + " is already spec.gpuNodePolicy.taints[" + earlier + "]: a node has one taint per key and effect");
                }
            }
            for (Map.Entry<String, String> label : policy.labels().entrySet()) {
                String field = path("spec", "gpuNodePolicy", "labels", label.getKey());
                KubernetesNames.qualifiedNameProblem(label.getKey()).ifPresent(problem ->
                        error(field, "\"" + label.getKey() + "\" is not a valid label key: " + problem));
                KubernetesNames.labelValueProblem(label.getValue()).ifPresent(problem ->
                        error(field, "\"" + label.getValue() + "\" is not a valid label value: " + problem));
            }
        }

        /**
         * The host-agent's own rule for an export's form, so that a plan that validates is not
         * refused by nfs.exports.apply later (the export roots and the directories are the host's).
         */
        private void checkNfsExports()
        {
            List<io.rackpilot.proto.v1.NfsExport> exports = new ArrayList<>();
            for (NfsExport export : spec.nfs().exports()) {
                io.rackpilot.proto.v1.NfsExport.Builder built = io.rackpilot.proto.v1.NfsExport.newBuilder().setPath(export.path());
                for (NfsClient client : export.clients()) {
                    built.addClients(io.rackpilot.proto.v1.NfsClient.newBuilder().setSpec(client.spec()).addAllOptions(client.options()));
                }
                exports.add(built.build());
            }
            for (NfsExportRules.Problem problem : NfsExportRules.problems(path("spec", "nfs", "exports"), exports)) {
                error(problem.field(), problem.message());
            }
        }

        private void checkNfsClients()
        {
            List<Subnet> networks = spec.networks().stream()
                    .map(network -> Subnet.parse(network.cidr()))
                    .flatMap(Optional::stream)
                    .toList();
            for (int exportIndex = 0; exportIndex < spec.nfs().exports().size(); exportIndex++) {
                NfsExport export = spec.nfs().exports().get(exportIndex);
                for (int index = 0; index < export.clients().size(); index++) {
                    NfsClient client = export.clients().get(index);
                    Optional<Subnet> subnet = Subnet.parse(client.spec());
                    if (subnet.isEmpty() || networks.stream().anyMatch(network -> network.contains(subnet.get()))) {
                        continue;
                    }
                    String known = spec.networks().isEmpty()
                            ? "spec.networks declares none"
                            : "the networks are " + spec.networks().stream().map(Network::cidr).collect(Collectors.joining(", "));
                    warning(path("spec", "nfs", "exports", exportIndex, "clients", index, "spec"),
                            "no network in the plan is " + client.spec() + " or contains it (" + known + ")");
                }
            }
        }

        private void checkMemory()
        {
            Optional<DataSize> installed = spec.host().memory();
            if (installed.isEmpty()) {
                return;
            }
            long given = 0;
            boolean uncountable = false;
            for (VirtualMachine vm : spec.vms()) {
                if (given > Long.MAX_VALUE - vm.memory().bytes()) {
                    uncountable = true;
                    break;
                }
                given += vm.memory().bytes();
            }
            if (uncountable) {
                warning("spec.host.memory", "the VMs are given more than " + Long.MAX_VALUE + " bytes of memory together, more than the host's " + installed.get());
            }
            else if (given > installed.get().bytes()) {
                warning("spec.host.memory", "the VMs are given " + DataSize.ofBytes(given) + " of memory, more than the host's " + installed.get()
                        + " (over-committed by " + DataSize.ofBytes(given - installed.get().bytes()) + ")");
            }
        }

        private void checkCores()
        {
            Optional<Cpu> cpu = spec.host().cpu();
            if (cpu.isEmpty()) {
                return;
            }
            long cores = spec.vms().stream().mapToLong(VirtualMachine::cores).sum();
            long limit = (long) CORES_PER_THREAD_WARNING * cpu.get().threads();
            if (cores > limit) {
                warning("spec.host.cpu.threads", "the VMs are given " + cores + " cores, more than " + CORES_PER_THREAD_WARNING + " times the host's "
                        + cpu.get().threads() + " threads (" + limit + ")");
            }
        }

        private Optional<Network> networkOf(NetworkAttachment attachment)
        {
            return spec.networks().stream().filter(network -> network.carries(attachment)).findFirst();
        }

        private static String describe(NetworkAttachment attachment)
        {
            return attachment.vlan().isPresent() ? attachment.bridge() + " vlan " + attachment.vlan().getAsInt() : attachment.bridge() + " untagged";
        }

        private static String path(Object... segments)
        {
            return PlanLocations.render(List.of(segments));
        }

        private void error(String field, String message)
        {
            errors.add(PlanFinding.error(sourceName, locations.line(field), field, message));
        }

        private void warning(String field, String message)
        {
            warnings.add(PlanFinding.warning(sourceName, locations.line(field), field, message));
        }
    }
}
