package io.rackpilot.sim.proxmox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.IssuedCertificate;
import io.rackpilot.common.tls.PemFiles;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.NetworkAttachment;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.sim.sysfs.SimulatedSysfs;
import io.rackpilot.sim.tls.SimulatorTls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A Proxmox VE API for one node, over HTTPS on 127.0.0.1, that speaks the real wire format: the
 * {@code {"data": ...}} envelope, errors as {@code {"data": null, "message": ..., "errors": {...}}},
 * config digests, pending hostpci changes on running VMs applied at the next start, the root-only
 * rule for raw host PCI addresses (every API token is refused), PCI resource mappings, and UPID tasks
 * that end after a delay.
 *
 * <p>Endpoints under {@code /api2/json}: {@code GET /nodes/N/qemu}; {@code GET|PUT|POST
 * /nodes/N/qemu/V/config}; {@code GET /nodes/N/qemu/V/pending}; {@code GET
 * /nodes/N/qemu/V/status/current}; {@code POST /nodes/N/qemu/V/status/{start,stop,shutdown,reboot}};
 * {@code GET /nodes/N/tasks/UPID/status}; {@code GET /nodes/N/hardware/pci}; {@code GET|POST
 * /cluster/mapping/pci}; {@code GET|PUT /cluster/mapping/pci/ID}.
 */
public final class ProxmoxSimulator
        implements AutoCloseable
{
    private static final Pattern HOSTPCI = Pattern.compile("hostpci\\d+");
    private static final Pattern MAPPING_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String node;
    private final Set<String> tokens;
    private final Path caCertificate;
    private final HttpsServer server;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    private final Map<Integer, SimulatedVm> vms = new TreeMap<>();
    private final Map<String, Mapping> mappings = new TreeMap<>();
    private final List<ObjectNode> pciDevices = new ArrayList<>();
    private final Map<String, ObjectNode> tasks = new LinkedHashMap<>();
    private final AtomicInteger taskCounter = new AtomicInteger();
    private final AtomicInteger failingRequests = new AtomicInteger();
    private final java.util.Deque<Response> injectedErrors = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private Duration taskDelay = Duration.ofMillis(300);
    private Optional<String> nextTaskFailure = Optional.empty();
    private final Map<Integer, Map<String, String>> editsBeforeNextWrite = new TreeMap<>();
    private final Map<Integer, List<ConfigWriteFailure>> configWriteFailures = new TreeMap<>();
    private final Map<Integer, String> startFailures = new TreeMap<>();

    private record Mapping(String description, List<String> map) {}

    private record ConfigWriteFailure(String key, String message)
    {
        /**
         * The key itself, or, for a key that does not end in a digit, that key followed by digits.
         */
        boolean matches(String written)
        {
            if (written.equals(key)) {
                return true;
            }
            return !key.isEmpty()
                    && !Character.isDigit(key.charAt(key.length() - 1))
                    && written.startsWith(key)
                    && written.length() > key.length()
                    && written.substring(key.length()).chars().allMatch(Character::isDigit);
        }
    }

    private ProxmoxSimulator(String node, Set<String> tokens, Path directory)
            throws IOException
    {
        this.node = requireNonNull(node, "node is null");
        this.tokens = Set.copyOf(requireNonNull(tokens, "tokens is null"));
        CertificateAuthority authority = CertificateAuthority.create("Proxmox Virtual Environment (simulated)", Duration.ofDays(2));
        IssuedCertificate issued = authority.issue(new Identity(IdentityRole.HOST, node), List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        this.caCertificate = directory.resolve("pve-root-ca.pem");
        PemFiles.writeCertificates(caCertificate, List.of(authority.certificate()));
        this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(SimulatorTls.serverContext(issued, authority)));
        server.createContext("/api2/json/", this::handle);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "proxmox-simulator-tasks");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "proxmox-simulator-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    /**
     * An empty node; add VMs, mappings and devices with {@link #addVm}, {@link #addPciMapping} and
     * {@link #addPciDevice}.
     *
     * @param tokens full tokens accepted, {@code USER@REALM!TOKENID=SECRET}
     * @param directory where the CA certificate is written
     */
    public static ProxmoxSimulator start(String node, Set<String> tokens, Path directory)
            throws IOException
    {
        return new ProxmoxSimulator(node, tokens, directory);
    }

    /**
     * The plan's node with every planned VM running (cores, memory in MiB, netN on the planned
     * bridges and VLANs, smbios1 uuid, {@code machine: q35} for a Kubernetes node and Proxmox'
     * default i440fx for the others), each planned GPU as a PCI device with its HD audio function
     * (function 1 of the same slot, {@code 10de:10fa}, in the same IOMMU group, as
     * {@link io.rackpilot.sim.sysfs.SimulatedSysfs} writes them), and a mapping whose path is the
     * card's slot ({@code path=0000:06:00}: every function, as Proxmox' "All Functions" writes it),
     * attached to its planned VM as {@code hostpciN: mapping=ID[,pcie=1]}.
     */
    public static ProxmoxSimulator fromPlan(HomelabPlan plan, Set<String> tokens, Path directory)
            throws IOException
    {
        ProxmoxSimulator simulator = start(plan.spec().host().name(), tokens, directory);
        int iommuGroup = 40;
        for (Gpu gpu : plan.spec().gpus()) {
            String[] ids = gpu.vendorDevice().split(":");
            String slot = slotOf(gpu.pciAddress());
            simulator.addPciDevice(gpu.pciAddress(), "0x" + ids[0], "0x" + ids[1], "0x030200", iommuGroup, "NVIDIA Corporation", gpu.id());
            String[] audio = SimulatedSysfs.AUDIO_VENDOR_DEVICE.split(":");
            simulator.addPciDevice(SimulatedSysfs.audioAddress(gpu), "0x" + audio[0], "0x" + audio[1], SimulatedSysfs.AUDIO_CLASS, iommuGroup, "NVIDIA Corporation", gpu.id() + " HD Audio Controller");
            simulator.addPciMapping(gpu.mapping(), gpu.id(), List.of("node=" + gpu.host() + ",path=" + slot + ",id=" + gpu.vendorDevice() + ",iommugroup=" + iommuGroup));
            iommuGroup++;
        }
        for (VirtualMachine vm : plan.vms()) {
            Map<String, String> config = new TreeMap<>();
            config.put("name", vm.name());
            config.put("cores", Integer.toString(vm.cores()));
            config.put("sockets", "1");
            config.put("memory", Long.toString(vm.memory().bytes() / (1024 * 1024)));
            config.put("ostype", "l26");
            if (vm.isKubernetesNode()) {
                // PCIe passthrough (pcie=1) needs a q35 machine; a GPU may move to any node
                config.put("machine", "q35");
            }
            config.put("smbios1", "uuid=" + vm.smbiosUuid().orElseGet(() -> String.format("00000000-0000-4000-8000-%012d", vm.vmid())));
            List<NetworkAttachment> networks = vm.networks();
            for (int index = 0; index < networks.size(); index++) {
                NetworkAttachment network = networks.get(index);
                String mac = String.format("BC:24:11:%02X:%02X:%02X", (vm.vmid() >> 8) & 0xff, vm.vmid() & 0xff, index);
                config.put("net" + index, "virtio=" + mac + ",bridge=" + network.bridge() + (network.vlan().isPresent() ? ",tag=" + network.vlan().getAsInt() : ""));
            }
            int slot = 0;
            for (Gpu gpu : plan.gpusOf(vm.vmid())) {
                config.put("hostpci" + slot++, "mapping=" + gpu.mapping() + (gpu.pcie() ? ",pcie=1" : ""));
            }
            simulator.addVm(vm.vmid(), config, true);
        }
        return simulator;
    }

    public URI apiUrl()
    {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/api2/json");
    }

    public String node()
    {
        return node;
    }

    /**
     * The CA certificate (PEM) that signed the server's certificate.
     */
    public Path caCertificate()
    {
        return caCertificate;
    }

    public void addVm(int vmid, Map<String, String> config, boolean running)
    {
        synchronized (lock) {
            vms.put(vmid, new SimulatedVm(vmid, config, running ? "running" : "stopped"));
        }
    }

    public void addPciMapping(String id, String description, List<String> map)
    {
        synchronized (lock) {
            mappings.put(id, new Mapping(description, List.copyOf(map)));
        }
    }

    public void addPciDevice(String address, String vendor, String device, String deviceClass, int iommuGroup, String vendorName, String deviceName)
    {
        ObjectNode entry = JSON.objectNode()
                .put("id", address)
                .put("vendor", vendor)
                .put("device", device)
                .put("class", deviceClass)
                .put("iommugroup", iommuGroup)
                .put("vendor_name", vendorName)
                .put("device_name", deviceName);
        synchronized (lock) {
            pciDevices.add(entry);
        }
    }

    /**
     * The VM's current config (pending values not applied), or empty for an unknown VM.
     */
    public Optional<Map<String, String>> vmConfig(int vmid)
    {
        synchronized (lock) {
            return Optional.ofNullable(vms.get(vmid)).map(vm -> Map.copyOf(vm.config));
        }
    }

    /**
     * Edits the VM's config behind the client's back, as an administrator editing the file would:
     * the key is set, or removed when the value is empty, in the applied config at once (on a
     * running VM too), any pending change of that key is dropped, and the digest changes.
     */
    public void setConfig(int vmid, String key, Optional<String> value)
    {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        synchronized (lock) {
            SimulatedVm vm = requireVm(vmid);
            if (value.isPresent()) {
                vm.config.put(key, value.get());
            }
            else {
                vm.config.remove(key);
            }
            vm.pending.remove(key);
            vm.pendingDelete.remove(key);
        }
    }

    /**
     * The PCI mapping ids that the VM's applied config ({@code hostpciN: mapping=ID,...}, pending
     * values not applied) passes through, in slot order, while the VM is running; empty when it is
     * not running. Raw host addresses (root's {@code hostpciN: 0000:06:00.0}) are not listed. This is
     * what a guest sees: a card attached while the VM runs appears after a stop and start or a
     * reboot, which apply pending changes.
     */
    public List<String> passedThroughMappings(int vmid)
    {
        synchronized (lock) {
            SimulatedVm vm = requireVm(vmid);
            if (!vm.running()) {
                return List.of();
            }
            Map<Integer, String> bySlot = new TreeMap<>();
            vm.config.forEach((key, value) -> {
                if (HOSTPCI.matcher(key).matches()) {
                    hostPciMapping(value).ifPresent(mapping -> bySlot.put(Integer.parseInt(key.substring("hostpci".length())), mapping));
                }
            });
            return List.copyOf(bySlot.values());
        }
    }

    /**
     * The pending values and deletions ({@code key -> null} for a deletion).
     */
    public Map<String, Optional<String>> vmPending(int vmid)
    {
        synchronized (lock) {
            SimulatedVm vm = requireVm(vmid);
            Map<String, Optional<String>> pending = new TreeMap<>();
            vm.pending.forEach((key, value) -> pending.put(key, Optional.of(value)));
            vm.pendingDelete.forEach(key -> pending.put(key, Optional.empty()));
            return pending;
        }
    }

    public Optional<String> vmStatus(int vmid)
    {
        synchronized (lock) {
            return Optional.ofNullable(vms.get(vmid)).map(vm -> vm.status);
        }
    }

    /**
     * Changes the power state behind the client's back (no task, pending left alone).
     */
    public void setVmStatus(int vmid, String status)
    {
        synchronized (lock) {
            requireVm(vmid).status = requireNonNull(status, "status is null");
        }
    }

    /**
     * The guest ignores ACPI shutdown: shutdown tasks run for their timeout, then fail or force a stop.
     */
    public void setIgnoresShutdown(int vmid, boolean ignores)
    {
        synchronized (lock) {
            requireVm(vmid).ignoresShutdown = ignores;
        }
    }

    /**
     * Another user edits the VM just before the next config write arrives, so its digest no longer matches.
     */
    public void editBeforeNextWrite(int vmid, String key, String value)
    {
        synchronized (lock) {
            editsBeforeNextWrite.computeIfAbsent(vmid, ignored -> new TreeMap<>()).put(key, value);
        }
    }

    public void setTaskDelay(Duration delay)
    {
        synchronized (lock) {
            taskDelay = requireNonNull(delay, "delay is null");
        }
    }

    /**
     * The next task ends with this exit status (e.g. {@code "start failed: QEMU exited with code 1"})
     * and changes nothing.
     */
    public void failNextTask(String exitStatus)
    {
        synchronized (lock) {
            nextTaskFailure = Optional.of(requireNonNull(exitStatus, "exitStatus is null"));
        }
    }

    /**
     * The next config write ({@code PUT} or {@code POST .../qemu/VMID/config}) of this VM that sets
     * or deletes a matching key is answered HTTP 500 with this message in Proxmox' error envelope
     * ({@code {"data": null, "message": ...}}), after parameter, digest and permission checks, and
     * changes nothing. A key ending in a digit matches itself only ({@code hostpci0}); any other
     * matches itself and itself followed by digits ({@code hostpci} matches every
     * {@code hostpciN}). Several failures for one VM are used in the order they were added.
     */
    public void failNextConfigWrite(int vmid, String key, String message)
    {
        requireNonNull(key, "key is null");
        requireNonNull(message, "message is null");
        synchronized (lock) {
            requireVm(vmid);
            configWriteFailures.computeIfAbsent(vmid, ignored -> new ArrayList<>()).add(new ConfigWriteFailure(key, message));
        }
    }

    /**
     * The next start task of this VM ends with this exit status (e.g. {@code "start failed: QEMU
     * exited with code 1"}) and changes nothing: the VM stays stopped and its pending changes stay
     * pending. Unlike {@link #failNextTask}, tasks of other VMs and other kinds are not affected.
     *
     * <p>What operators see when a passed-through card cannot be woken or reset (use these to
     * simulate it): the task ends {@code start failed: QEMU exited with code 1}, its log holds QEMU's
     * line {@code kvm: -device vfio-pci,host=0000:06:00.0,id=hostpci0,bus=ich9-pcie-port-1,addr=0x0:
     * vfio 0000:06:00.0: error getting device from group 40: Input/output error} followed by the hint
     * {@code Verify all devices in group 40 are bound to vfio-<bus> or pci-stub and not already in use}
     * (wording of QEMU's hw/vfio, vfio_get_device), and the host's kernel log says
     * {@code vfio-pci 0000:06:00.0: Unable to change power state from D3cold to D0, device inaccessible}
     * (Linux drivers/pci/pci.c, pci_raw_set_power_state; seen on linux-pci and vfio threads after a
     * failed bus reset). A card the kernel cannot reset gets, in the task log, {@code error writing
     * '1' to '/sys/bus/pci/devices/0000:06:00.0/reset': Inappropriate ioctl for device} and
     * qemu-server's {@code failed to reset PCI device '0000:06:00.0', but trying to continue as not
     * all devices need a reset}, not fatal by themselves: the start fails only when QEMU then exits
     * (both lines as quoted in operators' Proxmox start logs). A device held by another running VM is refused by the simulator on its
     * own, see the start task.
     */
    public void failNextStart(int vmid, String exitStatus)
    {
        requireNonNull(exitStatus, "exitStatus is null");
        synchronized (lock) {
            requireVm(vmid);
            startFailures.put(vmid, exitStatus);
        }
    }

    /**
     * The next {@code count} requests are answered 500 without being carried out.
     */
    public void failNextRequests(int count)
    {
        failingRequests.set(count);
    }

    /**
     * The next request (after the token check) is answered with this HTTP status and Proxmox' error
     * envelope, {@code {"data": null, "message": ...}}, the message JSON {@code null} when empty (as
     * some errors of Proxmox' API come), and is not carried out.
     */
    public void failNextRequest(int status, Optional<String> message)
    {
        requireNonNull(message, "message is null");
        ObjectNode body = JSON.objectNode().putNull("data");
        if (message.isPresent()) {
            body.put("message", message.get());
        }
        else {
            body.putNull("message");
        }
        injectedErrors.add(new Response(status, body));
    }

    public int requestCount()
    {
        return requestCount.get();
    }

    @Override
    public void close()
    {
        server.stop(0);
        scheduler.shutdownNow();
    }

    private void handle(HttpExchange exchange)
            throws IOException
    {
        requestCount.incrementAndGet();
        Response response;
        try {
            response = route(exchange);
        }
        catch (ApiError error) {
            response = error.response();
        }
        catch (RuntimeException e) {
            response = Response.error(500, "simulator: " + e, Map.of());
        }
        byte[] body = MAPPER.writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.sendResponseHeaders(response.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private Response route(HttpExchange exchange)
            throws IOException
    {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("PVEAPIToken=") || !tokens.contains(header.substring("PVEAPIToken=".length()))) {
            return new Response(401, JSON.objectNode().putNull("data").put("message", "authentication failure\n"));
        }
        Response injected = injectedErrors.poll();
        if (injected != null) {
            return injected;
        }
        if (failingRequests.getAndUpdate(count -> Math.max(0, count - 1)) > 0) {
            return Response.error(500, "simulated internal error\n", Map.of());
        }
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath().substring("/api2/json/".length());
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(URLDecoder.decode(segment, StandardCharsets.UTF_8));
            }
        }
        Map<String, List<String>> parameters = parseForm(exchange.getRequestURI().getRawQuery());
        if (!method.equals("GET")) {
            parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).forEach((key, values) -> parameters.computeIfAbsent(key, ignored -> new ArrayList<>()).addAll(values));
        }
        String user = header.substring("PVEAPIToken=".length(), header.lastIndexOf('='));
        synchronized (lock) {
            if (segments.size() >= 2 && segments.get(0).equals("nodes")) {
                if (!segments.get(1).equals(node)) {
                    throw new ApiError(500, "hostname lookup '" + segments.get(1) + "' failed - failed to get address info for: " + segments.get(1) + ": Name or service not known\n", Map.of());
                }
                return nodeRoute(method, segments.subList(2, segments.size()), parameters, user);
            }
            if (segments.size() >= 3 && segments.subList(0, 3).equals(List.of("cluster", "mapping", "pci"))) {
                return mappingRoute(method, segments.subList(3, segments.size()), parameters);
            }
        }
        throw new ApiError(501, "Method '" + method + " /" + rawPath + "' not implemented", Map.of());
    }

    private Response nodeRoute(String method, List<String> path, Map<String, List<String>> parameters, String user)
    {
        String route = method + " " + String.join("/", path.stream().map(segment -> segment.matches("\\d+") ? "{vmid}" : segment).toList());
        if (route.equals("GET qemu")) {
            ArrayNode list = JSON.arrayNode();
            for (SimulatedVm vm : vms.values()) {
                Map<String, String> config = vm.config;
                list.addObject()
                        .put("vmid", vm.vmid)
                        .put("name", config.getOrDefault("name", "VM " + vm.vmid))
                        .put("status", vm.status)
                        .put("cpus", Integer.parseInt(config.getOrDefault("cores", "1")))
                        .put("maxmem", Long.parseLong(config.getOrDefault("memory", "512")) * 1024 * 1024)
                        .put("uptime", vm.running() ? 3600 : 0);
            }
            return Response.data(list);
        }
        if (path.size() >= 1 && path.get(0).equals("tasks")) {
            if (path.size() == 3 && method.equals("GET") && path.get(2).equals("status")) {
                ObjectNode task = tasks.get(path.get(1));
                if (task == null) {
                    throw new ApiError(500, "unable to parse worker upid '" + path.get(1) + "'\n", Map.of());
                }
                return Response.data(task.deepCopy());
            }
        }
        if (route.equals("GET hardware/pci")) {
            ArrayNode list = JSON.arrayNode();
            pciDevices.forEach(device -> list.add(device.deepCopy()));
            return Response.data(list);
        }
        if (path.size() >= 3 && path.get(0).equals("qemu")) {
            int vmid = vmid(path.get(1));
            SimulatedVm vm = vms.get(vmid);
            if (vm == null) {
                throw new ApiError(500, "Configuration file 'nodes/" + node + "/qemu-server/" + vmid + ".conf' does not exist\n", Map.of());
            }
            String rest = String.join("/", path.subList(2, path.size()));
            switch (method + " " + rest) {
                case "GET config" -> {
                    boolean current = parameters.getOrDefault("current", List.of("0")).get(0).equals("1");
                    ObjectNode data = JSON.objectNode();
                    (current ? vm.config : vm.effectiveConfig()).forEach(data::put);
                    data.put("digest", vm.digest());
                    return Response.data(data);
                }
                case "PUT config" -> {
                    updateConfig(vm, parameters, user);
                    return Response.data(JSON.nullNode());
                }
                case "POST config" -> {
                    updateConfig(vm, parameters, user);
                    return Response.data(JSON.textNode(newTask("qmconfig", vmid, user, Duration.ZERO, () -> Optional.empty())));
                }
                case "GET pending" -> {
                    ArrayNode list = JSON.arrayNode();
                    Map<String, String> keys = new TreeMap<>(vm.config);
                    vm.pending.keySet().forEach(key -> keys.putIfAbsent(key, null));
                    keys.forEach((key, value) -> {
                        ObjectNode entry = list.addObject().put("key", key);
                        if (value != null) {
                            entry.put("value", value);
                        }
                        if (vm.pending.containsKey(key)) {
                            entry.put("pending", vm.pending.get(key));
                        }
                        if (vm.pendingDelete.contains(key)) {
                            entry.put("delete", 1);
                        }
                    });
                    return Response.data(list);
                }
                case "GET status/current" -> {
                    return Response.data(JSON.objectNode().put("vmid", vmid).put("status", vm.status).put("qmpstatus", vm.status).put("name", vm.config.getOrDefault("name", "")));
                }
                case "POST status/start" -> {
                    Optional<String> injected = Optional.ofNullable(startFailures.remove(vmid));
                    return Response.data(JSON.textNode(newTask("qmstart", vmid, user, taskDelay, () -> {
                        if (injected.isPresent()) {
                            return injected;
                        }
                        if (vm.running()) {
                            return Optional.of("VM " + vmid + " already running");
                        }
                        Optional<String> inUse = deviceInUse(vm);
                        if (inUse.isPresent()) {
                            return inUse;
                        }
                        Optional<String> machine = pcieWithoutQ35(vm);
                        if (machine.isPresent()) {
                            return machine;
                        }
                        vm.applyPending();
                        vm.status = "running";
                        return Optional.empty();
                    })));
                }
                case "POST status/stop" -> {
                    return Response.data(JSON.textNode(newTask("qmstop", vmid, user, taskDelay, () -> {
                        vm.status = "stopped";
                        return Optional.empty();
                    })));
                }
                case "POST status/reboot" -> {
                    return Response.data(JSON.textNode(newTask("qmreboot", vmid, user, taskDelay, () -> {
                        if (!vm.running()) {
                            return Optional.of("VM " + vmid + " not running");
                        }
                        vm.applyPending();
                        return Optional.empty();
                    })));
                }
                case "POST status/shutdown" -> {
                    boolean forceStop = parameters.getOrDefault("forceStop", List.of("0")).get(0).equals("1");
                    long timeoutSeconds = Long.parseLong(parameters.getOrDefault("timeout", List.of("180")).get(0));
                    Duration delay = vm.ignoresShutdown && vm.running() ? Duration.ofSeconds(timeoutSeconds) : taskDelay;
                    return Response.data(JSON.textNode(newTask("qmshutdown", vmid, user, delay, () -> {
                        if (!vm.running()) {
                            return Optional.of("VM " + vmid + " not running");
                        }
                        if (vm.ignoresShutdown && !forceStop) {
                            return Optional.of("VM quit/powerdown failed - got timeout");
                        }
                        vm.status = "stopped";
                        return Optional.empty();
                    })));
                }
                default -> { }
            }
        }
        throw new ApiError(501, "Method '" + method + " /nodes/" + node + "/" + String.join("/", path) + "' not implemented", Map.of());
    }

    private void updateConfig(SimulatedVm vm, Map<String, List<String>> parameters, String user)
    {
        Map<String, String> pendingEdits = editsBeforeNextWrite.remove(vm.vmid);
        if (pendingEdits != null) {
            vm.config.putAll(pendingEdits);
        }
        Map<String, String> set = new TreeMap<>();
        List<String> delete = new ArrayList<>();
        Optional<String> digest = Optional.empty();
        Map<String, String> errors = new TreeMap<>();
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String key = parameter.getKey();
            String value = parameter.getValue().get(parameter.getValue().size() - 1);
            switch (key) {
                case "digest" -> digest = Optional.of(value);
                case "delete" -> {
                    for (String deleted : value.split("[,;\\s]+")) {
                        if (!deleted.isEmpty()) {
                            delete.add(deleted);
                        }
                    }
                }
                default -> set.put(key, value);
            }
        }
        for (String key : set.keySet()) {
            if (HOSTPCI.matcher(key).matches()) {
                Optional<String> mapping = hostPciMapping(set.get(key));
                if (mapping.isPresent() && !mappings.containsKey(mapping.get())) {
                    errors.put(key, "PCI mapping '" + mapping.get() + "' does not exist");
                }
            }
            else if (key.equals("cores") && !set.get(key).matches("\\d+")) {
                errors.put(key, "type check ('integer') failed - got '" + set.get(key) + "'");
            }
        }
        for (String key : delete) {
            if (set.containsKey(key)) {
                errors.put("delete", "unable to delete parameter '" + key + "' - is also set");
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiError(400, "Parameter verification failed.\n", errors);
        }
        if (digest.isPresent() && !digest.get().equals(vm.digest())) {
            throw new ApiError(500, "detected modified configuration - file changed by other user? Try again.\n", Map.of());
        }
        if (!user.equals("root@pam")) {
            Map<String, String> effective = vm.effectiveConfig();
            for (String key : set.keySet()) {
                if (HOSTPCI.matcher(key).matches() && hostPciMapping(set.get(key)).isEmpty()) {
                    throw new ApiError(403, "only root can set '" + key + "' config for non-mapped devices\n", Map.of());
                }
            }
            for (String key : delete) {
                if (HOSTPCI.matcher(key).matches() && effective.containsKey(key) && hostPciMapping(effective.get(key)).isEmpty()) {
                    throw new ApiError(403, "only root can set '" + key + "' config for non-mapped devices\n", Map.of());
                }
            }
        }
        List<ConfigWriteFailure> failures = configWriteFailures.getOrDefault(vm.vmid, List.of());
        for (ConfigWriteFailure failure : failures) {
            if (set.keySet().stream().anyMatch(failure::matches) || delete.stream().anyMatch(failure::matches)) {
                failures.remove(failure);
                throw new ApiError(500, failure.message(), Map.of());
            }
        }
        for (Map.Entry<String, String> entry : set.entrySet()) {
            if (vm.running() && HOSTPCI.matcher(entry.getKey()).matches()) {
                vm.pending.put(entry.getKey(), entry.getValue());
                vm.pendingDelete.remove(entry.getKey());
            }
            else {
                vm.config.put(entry.getKey(), entry.getValue());
            }
        }
        for (String key : delete) {
            if (vm.running() && HOSTPCI.matcher(key).matches()) {
                vm.pending.remove(key);
                if (vm.config.containsKey(key)) {
                    vm.pendingDelete.add(key);
                }
            }
            else {
                vm.config.remove(key);
                vm.pending.remove(key);
            }
        }
    }

    /**
     * Why the VM cannot start because another running VM's applied config holds one of the host
     * devices that the VM's config (pending values applied, as the start applies them) names:
     * qemu-server's reservation check, {@code PCI device '0000:06:00.0' already in use by VMID '201'}
     * (PVE/QemuServer/PCI.pm, reserve_pci_usage). Devices are compared by slot, so 06:00, 06:00.0
     * and a mapping's path name the same card; a slot is reported as its function 0.
     */
    private Optional<String> deviceInUse(SimulatedVm starting)
    {
        Map<String, String> wanted = heldDevices(starting.effectiveConfig());
        for (SimulatedVm other : vms.values()) {
            if (other.vmid == starting.vmid || !other.running()) {
                continue;
            }
            Map<String, String> held = heldDevices(other.config);
            for (Map.Entry<String, String> device : wanted.entrySet()) {
                if (held.containsKey(device.getKey())) {
                    return Optional.of("PCI device '" + device.getValue() + "' already in use by VMID '" + other.vmid + "'");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * qemu-server refuses to start a VM that passes a device as PCI Express ({@code pcie=1}) on a
     * machine type other than q35 (PVE/QemuServer/PCI.pm: {@code q35 machine model is not enabled}).
     */
    private static Optional<String> pcieWithoutQ35(SimulatedVm starting)
    {
        Map<String, String> config = starting.effectiveConfig();
        boolean q35 = config.getOrDefault("machine", "").contains("q35");
        boolean pcie = config.entrySet().stream()
                .anyMatch(entry -> HOSTPCI.matcher(entry.getKey()).matches() && List.of(entry.getValue().split(",")).stream().map(String::strip).anyMatch(part -> part.equals("pcie=1")));
        return pcie && !q35 ? Optional.of("q35 machine model is not enabled") : Optional.empty();
    }

    /**
     * The host slots that a config's hostpciN entries hold (through a mapping's entry for this node,
     * or raw addresses), each with the device as qemu-server names it (the address, function 0 for a slot).
     */
    private Map<String, String> heldDevices(Map<String, String> config)
    {
        Map<String, String> held = new TreeMap<>();
        config.forEach((key, value) -> {
            if (!HOSTPCI.matcher(key).matches()) {
                return;
            }
            List<String> paths = new ArrayList<>();
            Optional<String> mappingId = hostPciMapping(value);
            if (mappingId.isPresent()) {
                Mapping mapping = mappings.get(mappingId.get());
                if (mapping == null) {
                    return;
                }
                for (String entry : mapping.map()) {
                    Map<String, String> properties = properties(entry);
                    if (node.equals(properties.get("node")) && properties.containsKey("path")) {
                        paths.addAll(List.of(properties.get("path").split(";")));
                    }
                }
            }
            else {
                String first = value.split(",")[0].strip();
                if (first.startsWith("host=")) {
                    first = first.substring("host=".length());
                }
                paths.addAll(List.of(first.split(";")));
            }
            for (String path : paths) {
                String address = path.strip().toLowerCase(Locale.ROOT);
                if (address.isEmpty()) {
                    continue;
                }
                if (address.chars().filter(character -> character == ':').count() == 1) {
                    address = "0000:" + address;
                }
                held.putIfAbsent(slotOf(address), address.contains(".") ? address : address + ".0");
            }
        });
        return held;
    }

    private static Map<String, String> properties(String text)
    {
        Map<String, String> properties = new TreeMap<>();
        for (String part : text.split(",")) {
            int equals = part.indexOf('=');
            if (equals > 0) {
                properties.put(part.substring(0, equals).strip(), part.substring(equals + 1).strip());
            }
        }
        return properties;
    }

    private static String slotOf(String address)
    {
        int dot = address.lastIndexOf('.');
        return dot < 0 ? address : address.substring(0, dot);
    }

    private static Optional<String> hostPciMapping(String value)
    {
        for (String part : value.split(",")) {
            if (part.strip().startsWith("mapping=")) {
                return Optional.of(part.strip().substring("mapping=".length()));
            }
        }
        return Optional.empty();
    }

    private Response mappingRoute(String method, List<String> path, Map<String, List<String>> parameters)
    {
        if (path.isEmpty() && method.equals("GET")) {
            ArrayNode list = JSON.arrayNode();
            mappings.forEach((id, mapping) -> list.add(mappingJson(id, mapping)));
            return Response.data(list);
        }
        if (path.isEmpty() && method.equals("POST")) {
            String id = parameters.getOrDefault("id", List.of("")).get(0);
            if (!MAPPING_ID.matcher(id).matches()) {
                throw new ApiError(400, "Parameter verification failed.\n", Map.of("id", "invalid format - value does not look like a valid mapping id"));
            }
            if (mappings.containsKey(id)) {
                throw new ApiError(500, "pci mapping '" + id + "' already defined\n", Map.of());
            }
            mappings.put(id, new Mapping(parameters.getOrDefault("description", List.of("")).get(0), checkedMap(parameters)));
            return Response.data(JSON.nullNode());
        }
        if (path.size() == 1) {
            String id = path.get(0);
            Mapping mapping = mappings.get(id);
            if (mapping == null) {
                throw new ApiError(500, "no such pci mapping '" + id + "'\n", Map.of());
            }
            if (method.equals("GET")) {
                return Response.data(mappingJson(id, mapping));
            }
            if (method.equals("PUT")) {
                Optional<String> digest = Optional.ofNullable(parameters.get("digest")).map(values -> values.get(0));
                if (digest.isPresent() && !digest.get().equals(mappingDigest(id, mapping))) {
                    throw new ApiError(500, "detected modified configuration - file changed by other user? Try again.\n", Map.of());
                }
                String description = parameters.containsKey("description") ? parameters.get("description").get(0) : mapping.description();
                List<String> map = parameters.containsKey("map") ? checkedMap(parameters) : mapping.map();
                mappings.put(id, new Mapping(description, map));
                return Response.data(JSON.nullNode());
            }
        }
        throw new ApiError(501, "Method '" + method + " /cluster/mapping/pci/" + String.join("/", path) + "' not implemented", Map.of());
    }

    private static List<String> checkedMap(Map<String, List<String>> parameters)
    {
        List<String> map = parameters.getOrDefault("map", List.of());
        if (map.isEmpty()) {
            throw new ApiError(400, "Parameter verification failed.\n", Map.of("map", "property is missing and it is not optional"));
        }
        for (String entry : map) {
            if (!entry.contains("node=") || !entry.contains("path=")) {
                throw new ApiError(400, "Parameter verification failed.\n", Map.of("map", "invalid format - missing key in comma-separated list property: " + (entry.contains("node=") ? "path" : "node")));
            }
        }
        return List.copyOf(map);
    }

    private static ObjectNode mappingJson(String id, Mapping mapping)
    {
        ObjectNode entry = JSON.objectNode().put("id", id).put("description", mapping.description()).put("type", "pci");
        ArrayNode map = entry.putArray("map");
        mapping.map().forEach(map::add);
        entry.put("digest", mappingDigest(id, mapping));
        return entry;
    }

    private static String mappingDigest(String id, Mapping mapping)
    {
        return sha1(id + "\n" + mapping.description() + "\n" + String.join("\n", mapping.map()));
    }

    private String newTask(String type, int vmid, String user, Duration delay, TaskEffect effect)
    {
        Instant now = Instant.now();
        String upid = String.format("UPID:%s:%08X:%08X:%08X:%s:%d:%s:", node, 100000 + taskCounter.incrementAndGet(), System.nanoTime() & 0xffffffL, now.getEpochSecond(), type, vmid, user);
        ObjectNode task = JSON.objectNode()
                .put("upid", upid)
                .put("node", node)
                .put("type", type)
                .put("id", Integer.toString(vmid))
                .put("user", user)
                .put("starttime", now.getEpochSecond())
                .put("status", "running");
        tasks.put(upid, task);
        Optional<String> failure = nextTaskFailure;
        nextTaskFailure = Optional.empty();
        Runnable finish = () -> {
            synchronized (lock) {
                Optional<String> error = failure.isPresent() ? failure : effect.apply();
                task.put("status", "stopped").put("exitstatus", error.orElse("OK"));
            }
        };
        if (delay.isZero()) {
            Optional<String> error = failure.isPresent() ? failure : effect.apply();
            task.put("status", "stopped").put("exitstatus", error.orElse("OK"));
        }
        else {
            scheduler.schedule(finish, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
        return upid;
    }

    private interface TaskEffect
    {
        /**
         * Carries the task out; answers the failure, if any.
         */
        Optional<String> apply();
    }

    private static int vmid(String text)
    {
        long vmid;
        try {
            vmid = Long.parseLong(text);
        }
        catch (NumberFormatException e) {
            throw new ApiError(400, "Parameter verification failed.\n", Map.of("vmid", "type check ('integer') failed - got '" + text + "'"));
        }
        if (vmid < 100) {
            throw new ApiError(400, "Parameter verification failed.\n", Map.of("vmid", "value must have a minimum value of 100"));
        }
        if (vmid > 999_999_999) {
            throw new ApiError(400, "Parameter verification failed.\n", Map.of("vmid", "value must have a maximum value of 999999999"));
        }
        return (int) vmid;
    }

    private SimulatedVm requireVm(int vmid)
    {
        SimulatedVm vm = vms.get(vmid);
        if (vm == null) {
            throw new IllegalArgumentException("no VM " + vmid + " in the simulator");
        }
        return vm;
    }

    private static Map<String, List<String>> parseForm(String text)
    {
        Map<String, List<String>> form = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return form;
        }
        for (String pair : text.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            form.computeIfAbsent(key, ignored -> new ArrayList<>()).add(value);
        }
        return form;
    }

    static String sha1(String text)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Response(int status, ObjectNode body)
    {
        static Response data(com.fasterxml.jackson.databind.JsonNode data)
        {
            ObjectNode body = JSON.objectNode();
            body.set("data", data);
            return new Response(200, body);
        }

        static Response error(int status, String message, Map<String, String> errors)
        {
            ObjectNode body = JSON.objectNode().putNull("data").put("message", message);
            if (!errors.isEmpty()) {
                ObjectNode errorsNode = body.putObject("errors");
                errors.forEach(errorsNode::put);
            }
            return new Response(status, body);
        }
    }

    private static final class ApiError
            extends RuntimeException
    {
        private final int status;
        private final Map<String, String> errors;

        ApiError(int status, String message, Map<String, String> errors)
        {
            super(message);
            this.status = status;
            this.errors = Map.copyOf(errors);
        }

        Response response()
        {
            return Response.error(status, getMessage(), errors);
        }
    }
}
