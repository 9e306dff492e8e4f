package io.rackpilot.hostagent.proxmox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The Proxmox VE API ({@code https://HOST:8006/api2/json}) for one node, authenticated by an API
 * token. Reads are retried with exponential backoff on connection errors and 5xx answers; writes
 * only when the request cannot have been carried out (connection refused, 502, 503). 4xx answers
 * are never retried.
 */
public final class ProxmoxClient
{
    public static final Path DEFAULT_CA_FILE = Path.of("/etc/pve/pve-root-ca.pem");
    private static final int MAXIMUM_ATTEMPTS = 4;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration TASK_POLL_INTERVAL = Duration.ofMillis(200);

    private final URI apiUrl;
    private final String node;
    private final ProxmoxToken token;
    private final Path caFile;
    private final Duration timeout;
    private final HttpClient httpClient;
    private final ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * @param apiUrl e.g. {@code https://127.0.0.1:8006/api2/json}
     * @param caFile the cluster CA in PEM, {@link #DEFAULT_CA_FILE} on a Proxmox host
     */
    public ProxmoxClient(URI apiUrl, String node, ProxmoxToken token, Path caFile, Duration timeout)
    {
        this.apiUrl = URI.create(requireNonNull(apiUrl, "apiUrl is null").toString().replaceAll("/+$", ""));
        this.node = requireNonNull(node, "node is null");
        this.token = requireNonNull(token, "token is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.caFile = requireNonNull(caFile, "caFile is null");
        this.httpClient = HttpClient.newBuilder()
                .sslContext(trusting(requireNonNull(caFile, "caFile is null")))
                .connectTimeout(timeout)
                .build();
    }

    /**
     * An SSLContext that trusts exactly the certificates of a PEM file (hostname verification stays on).
     */
    public static SSLContext trusting(Path caFile)
    {
        try (InputStream input = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(input);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("the Proxmox CA file " + caFile + " holds no certificate");
            }
            KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
            trustStore.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                trustStore.setCertificateEntry("proxmox-ca-" + index++, certificate);
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (IOException e) {
            throw new IllegalArgumentException("cannot read the Proxmox CA file " + caFile + ": " + e.getMessage(), e);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the Proxmox CA file " + caFile + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    public String node()
    {
        return node;
    }

    public List<VmSummary> listVms()
            throws ProxmoxException, InterruptedException
    {
        List<VmSummary> vms = new ArrayList<>();
        for (JsonNode entry : get("/nodes/" + node + "/qemu")) {
            vms.add(new VmSummary(
                    integer(entry.path("vmid")),
                    entry.path("name").asText(""),
                    entry.path("status").asText(""),
                    integer(entry.path("cpus")),
                    longValue(entry.path("maxmem"))));
        }
        vms.sort((left, right) -> Integer.compare(left.vmid(), right.vmid()));
        return vms;
    }

    public VmConfig vmConfig(int vmid)
            throws ProxmoxException, InterruptedException
    {
        return config(vmid, vmPath(vmid) + "/config");
    }

    /**
     * The config without pending values ({@code GET .../config?current=1}): what a running VM was
     * started with and holds until it stops, a hostpciN whose removal is pending included.
     */
    public VmConfig currentVmConfig(int vmid)
            throws ProxmoxException, InterruptedException
    {
        return config(vmid, vmPath(vmid) + "/config?current=1");
    }

    private VmConfig config(int vmid, String path)
            throws ProxmoxException, InterruptedException
    {
        JsonNode data = get(path);
        Map<String, String> values = new LinkedHashMap<>();
        String digest = "";
        for (Iterator<Map.Entry<String, JsonNode>> fields = data.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals("digest")) {
                digest = field.getValue().asText();
            }
            else if (!field.getValue().isNull()) {
                values.put(field.getKey(), field.getValue().asText());
            }
        }
        return new VmConfig(vmid, values, digest);
    }

    public List<PendingChange> vmPending(int vmid)
            throws ProxmoxException, InterruptedException
    {
        List<PendingChange> changes = new ArrayList<>();
        for (JsonNode entry : get(vmPath(vmid) + "/pending")) {
            changes.add(new PendingChange(
                    entry.path("key").asText(),
                    text(entry.get("value")),
                    text(entry.get("pending")),
                    entry.hasNonNull("delete") && integer(entry.get("delete")) != 0));
        }
        return changes;
    }

    /**
     * {@code running}, {@code stopped} (or {@code paused}).
     */
    public String vmStatus(int vmid)
            throws ProxmoxException, InterruptedException
    {
        return get(vmPath(vmid) + "/status/current").path("status").asText("");
    }

    /**
     * {@code PUT .../config}: synchronous. A wrong {@code digest} fails with
     * {@link ProxmoxException#isDigestConflict()}.
     */
    public void updateConfig(int vmid, Map<String, String> set, List<String> delete, Optional<String> digest)
            throws ProxmoxException, InterruptedException
    {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        new java.util.TreeMap<>(set).forEach((key, value) -> form.add(Map.entry(key, value)));
        if (!delete.isEmpty()) {
            form.add(Map.entry("delete", String.join(",", delete)));
        }
        digest.ifPresent(value -> form.add(Map.entry("digest", value)));
        send("PUT", vmPath(vmid) + "/config", form);
    }

    public String start(int vmid)
            throws ProxmoxException, InterruptedException
    {
        return upid(send("POST", vmPath(vmid) + "/status/start", List.of()));
    }

    public String stop(int vmid)
            throws ProxmoxException, InterruptedException
    {
        return upid(send("POST", vmPath(vmid) + "/status/stop", List.of()));
    }

    public String shutdown(int vmid, Duration timeout, boolean forceStop)
            throws ProxmoxException, InterruptedException
    {
        List<Map.Entry<String, String>> form = List.of(
                Map.entry("timeout", Long.toString(Math.max(1, timeout.toSeconds()))),
                Map.entry("forceStop", forceStop ? "1" : "0"));
        return upid(send("POST", vmPath(vmid) + "/status/shutdown", form));
    }

    public String reboot(int vmid)
            throws ProxmoxException, InterruptedException
    {
        return upid(send("POST", vmPath(vmid) + "/status/reboot", List.of()));
    }

    public TaskStatus taskStatus(String upid)
            throws ProxmoxException, InterruptedException
    {
        JsonNode data = get("/nodes/" + node + "/tasks/" + encode(upid) + "/status");
        return new TaskStatus(upid, data.path("status").asText(""), text(data.get("exitstatus")));
    }

    /**
     * Polls the task until it stops; answers its last status (which may be a failure), or throws when
     * it still runs after {@code timeout}.
     */
    public TaskStatus awaitTask(String upid, Duration timeout)
            throws ProxmoxException, InterruptedException
    {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            TaskStatus status = taskStatus(upid);
            if (!status.running()) {
                return status;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new ProxmoxException(0, "task " + upid + " still running after " + timeout.toSeconds() + "s", Map.of());
            }
            Thread.sleep(TASK_POLL_INTERVAL.toMillis());
        }
    }

    public List<ProxmoxPciMapping> pciMappings()
            throws ProxmoxException, InterruptedException
    {
        List<ProxmoxPciMapping> mappings = new ArrayList<>();
        for (JsonNode entry : get("/cluster/mapping/pci")) {
            List<PciMapEntry> entries = new ArrayList<>();
            JsonNode map = entry.path("map");
            if (map.isArray()) {
                for (JsonNode value : map) {
                    entries.add(PciMapEntry.parse(value.asText()));
                }
            }
            else if (map.isTextual()) {
                entries.add(PciMapEntry.parse(map.asText()));
            }
            mappings.add(new ProxmoxPciMapping(entry.path("id").asText(), entry.path("description").asText(""), entries, entry.path("digest").asText("")));
        }
        return mappings;
    }

    public void createPciMapping(String id, String description, List<PciMapEntry> entries)
            throws ProxmoxException, InterruptedException
    {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        form.add(Map.entry("id", id));
        form.add(Map.entry("description", description));
        entries.forEach(entry -> form.add(Map.entry("map", entry.format())));
        send("POST", "/cluster/mapping/pci", form);
    }

    public void updatePciMapping(String id, String description, List<PciMapEntry> entries, Optional<String> digest)
            throws ProxmoxException, InterruptedException
    {
        List<Map.Entry<String, String>> form = new ArrayList<>();
        form.add(Map.entry("description", description));
        entries.forEach(entry -> form.add(Map.entry("map", entry.format())));
        digest.filter(value -> !value.isEmpty()).ifPresent(value -> form.add(Map.entry("digest", value)));
        send("PUT", "/cluster/mapping/pci/" + encode(id), form);
    }

    public List<HardwarePciDevice> hardwarePci()
            throws ProxmoxException, InterruptedException
    {
        List<HardwarePciDevice> devices = new ArrayList<>();
        for (JsonNode entry : get("/nodes/" + node + "/hardware/pci")) {
            devices.add(new HardwarePciDevice(
                    HostPciValue.normaliseAddress(entry.path("id").asText()),
                    entry.path("vendor").asText(""),
                    entry.path("device").asText(""),
                    entry.path("class").asText(""),
                    entry.hasNonNull("iommugroup") ? integer(entry.get("iommugroup")) : -1,
                    entry.path("vendor_name").asText(""),
                    entry.path("device_name").asText("")));
        }
        return devices;
    }

    private String vmPath(int vmid)
    {
        return "/nodes/" + node + "/qemu/" + vmid;
    }

    private JsonNode get(String path)
            throws ProxmoxException, InterruptedException
    {
        return send("GET", path, List.of());
    }

    private JsonNode send(String method, String path, List<Map.Entry<String, String>> form)
            throws ProxmoxException, InterruptedException
    {
        boolean read = method.equals("GET");
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(apiUrl + path))
                .timeout(timeout)
                .header("Authorization", token.authorizationHeader())
                .header("Accept", "application/json");
        if (read) {
            builder.GET();
        }
        else {
            builder.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(formBody(form)));
        }
        HttpRequest request = builder.build();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            ProxmoxException failure;
            boolean retryable;
            try {
                HttpResponse<String> response = httpClient.send(request, HttpResponse.BodyHandlers.ofString());
                JsonNode body = parse(response.body());
                if (response.statusCode() / 100 == 2) {
                    return body.path("data");
                }
                failure = error(method, path, response.statusCode(), body);
                int status = response.statusCode();
                retryable = status >= 500 && (read ? !failure.isDigestConflict() : status == 502 || status == 503);
            }
            catch (ConnectException e) {
                failure = new ProxmoxException(0, method + " " + path + ": cannot connect to " + apiUrl.getAuthority() + ": " + e.getMessage(), Map.of(), e);
                retryable = true;
            }
            catch (SSLHandshakeException e) {
                failure = new ProxmoxException(0, method + " " + path + ": " + handshakeFailure(e), Map.of(), e);
                retryable = false;
            }
            catch (HttpTimeoutException e) {
                failure = new ProxmoxException(0, method + " " + path + ": no answer within " + timeout.toMillis() + "ms", Map.of(), e);
                retryable = read;
            }
            catch (IOException e) {
                failure = new ProxmoxException(0, method + " " + path + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), Map.of(), e);
                retryable = read;
            }
            if (!retryable || attempt >= MAXIMUM_ATTEMPTS) {
                throw failure;
            }
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2);
        }
    }

    private ProxmoxException error(String method, String path, int status, JsonNode body)
    {
        // "message": null (or none) must not read as the text "null"
        String message = body.path("message").isValueNode() && !body.path("message").isNull() ? body.path("message").asText().strip() : "";
        if (message.isEmpty()) {
            message = "the API gave no reason (see the Proxmox host's log: journalctl -u pveproxy -u pvedaemon)";
        }
        Map<String, String> errors = new LinkedHashMap<>();
        JsonNode errorsNode = body.path("errors");
        if (errorsNode.isObject()) {
            errorsNode.fields().forEachRemaining(field -> {
                if (!field.getValue().isNull()) {
                    errors.put(field.getKey(), field.getValue().asText().strip());
                }
            });
        }
        if (status == 401) {
            message += ": Proxmox did not accept the API token " + token.tokenName() + " from " + token.source()
                    + "; check that it holds the whole token, USER@REALM!TOKENID=SECRET, and that the token exists on Proxmox and has not expired (Datacenter, Permissions, API Tokens)";
        }
        else if (status == 403 && !message.contains("non-mapped devices")) {
            message += ": the API token " + token.tokenName() + " lacks a privilege for this; check the token's privileges (and, with privilege separation, its user's) on the path named";
        }
        return new ProxmoxException(status, method + " " + path + ": " + message, errors);
    }

    /**
     * Which CA file did not verify which server, instead of Java's "PKIX path building failed".
     */
    private String handshakeFailure(SSLHandshakeException e)
    {
        String server = apiUrl.getAuthority();
        boolean untrusted = false;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.security.cert.CertPathBuilderException || cause instanceof java.security.cert.CertPathValidatorException) {
                untrusted = true;
            }
        }
        if (untrusted) {
            return "the TLS certificate of the Proxmox API at " + server + " was not signed by a CA in the CA file " + caFile
                    + "; set proxmox.caFile to the CA that signed it (on a Proxmox host " + DEFAULT_CA_FILE + ")";
        }
        return "TLS handshake with the Proxmox API at " + server + " failed (CA file " + caFile + "): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + "; check that the API URL's host name or address is one the certificate names";
    }

    private JsonNode parse(String body)
    {
        if (body == null || body.isBlank()) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(body);
        }
        catch (IOException e) {
            return mapper.createObjectNode().put("message", "unreadable answer: " + body.substring(0, Math.min(200, body.length())));
        }
    }

    private static String upid(JsonNode data)
            throws ProxmoxException
    {
        if (!data.isTextual() || !data.asText().startsWith("UPID:")) {
            throw new ProxmoxException(0, "expected a task UPID, got " + data, Map.of());
        }
        return data.asText();
    }

    private static String formBody(List<Map.Entry<String, String>> form)
    {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> entry : form) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(encode(entry.getKey())).append('=').append(encode(entry.getValue()));
        }
        return body.toString();
    }

    private static String encode(String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Optional<String> text(JsonNode node)
    {
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asText());
    }

    /**
     * Numbers may come as strings.
     */
    private static int integer(JsonNode node)
    {
        return (int) longValue(node);
    }

    private static long longValue(JsonNode node)
    {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return 0;
        }
        if (node.isNumber()) {
            return node.asLong();
        }
        String text = node.asText().strip();
        try {
            return text.contains(".") ? (long) Double.parseDouble(text) : Long.parseLong(text);
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }
}
