package io.rackpilot.common.tls;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContext;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.ControlGrpc;
import io.rackpilot.proto.v1.GetInventoryRequest;
import io.rackpilot.proto.v1.ListAgentsRequest;
import io.rackpilot.proto.v1.ListAgentsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.rackpilot.common.tls.TestCertificates.dns;
import static io.rackpilot.common.tls.TestCertificates.ip;
import static io.rackpilot.common.tls.TestCertificates.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real gRPC over TLS on loopback: what the coordinator's server and an agent's channel see.
 */
class TestMutualTls
{
    private static final Identity NODE = new Identity(IdentityRole.NODE, "k8s-node1");
    private static final Identity ADMIN = new Identity(IdentityRole.ADMIN, "alice");
    private static final Identity COORDINATOR = new Identity(IdentityRole.COORDINATOR, "coordinator");

    private final CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @TempDir
    Path directory;

    @AfterEach
    void close()
            throws InterruptedException
    {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
        for (ManagedChannel channel : channels) {
            channel.awaitTermination(10, TimeUnit.SECONDS);
        }
        for (Server server : servers) {
            server.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientWithAValidCertificateIsServedAndTheServiceSeesItsIdentity()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.anyRole());

        assertThat(whoAmI(channel(port, clientContext(NODE)))).isEqualTo("node/k8s-node1");
        assertThat(whoAmI(channel(port, clientContext(ADMIN)))).isEqualTo("admin/alice");
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefusedInTheHandshake()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.anyRole());
        CertificateAuthority other = CertificateAuthority.create("someone else's CA", Duration.ofDays(1));
        TlsFiles foreign = files("foreign", other.issue(NODE, List.of(), List.of(), Duration.ofHours(1)), authority);

        StatusRuntimeException refused = callFails(channel(port, TlsContexts.grpcClient(foreign)));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(causes(refused)).anyMatch(SSLException.class::isInstance);
    }

    @Test
    void aClientWithoutACertificateIsRefusedInTheHandshake()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.anyRole());
        SslContext anonymous = GrpcSslContexts.forClient().trustManager(authority.certificate()).build();

        StatusRuntimeException refused = callFails(channel(port, anonymous));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(causes(refused)).anyMatch(SSLException.class::isInstance);
    }

    @Test
    void anExpiredClientCertificateIsRefusedInTheHandshake()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.anyRole());
        Clock twoDaysAgo = Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
        authority.writeTo(directory.resolve("ca/ca.pem"), directory.resolve("ca/ca-key.pem"));
        CertificateAuthority issuingInThePast = CertificateAuthority.load(directory.resolve("ca/ca.pem"), directory.resolve("ca/ca-key.pem"), twoDaysAgo);
        TlsFiles expired = files("expired", issuingInThePast.issue(NODE, List.of(), List.of(), Duration.ofHours(1)), authority);

        // TlsContexts itself refuses an expired certificate, so build the context as of two days ago
        StatusRuntimeException refused = callFails(channel(port, TlsContexts.grpcClient(expired, twoDaysAgo)));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(causes(refused)).anyMatch(SSLException.class::isInstance);
    }

    @Test
    void aCertificateWithoutARackpilotIdentityIsUnauthenticated()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.anyRole());
        TlsFiles unnamed = files("unnamed", TestCertificates.issue(authority, "workstation", dns("workstation.lab.example"), uri("spiffe://lab/workstation")), authority);

        StatusRuntimeException refused = callFails(channel(port, TlsContexts.grpcClient(unnamed)));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refused.getStatus().getDescription())
                .isEqualTo("certificate 'CN=workstation' names no rackpilot identity: it has no URI subject alternative name rackpilot://<role>/<id>");
    }

    @Test
    void aRoleTheInterceptorDoesNotAllowIsPermissionDenied()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.requiring(IdentityRole.ADMIN));

        StatusRuntimeException refused = callFails(channel(port, clientContext(NODE)));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(refused.getStatus().getDescription()).isEqualTo("rackpilot.v1.Control/ListAgents is for admin certificates; the caller is node/k8s-node1");
        assertThat(whoAmI(channel(port, clientContext(ADMIN)))).isEqualTo("admin/alice");
    }

    @Test
    void aServiceCanRequireARole()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.requiring(IdentityRole.HOST, IdentityRole.NODE, IdentityRole.ADMIN));
        GetInventoryRequest request = GetInventoryRequest.newBuilder().setAgentId("k8s-node1").build();

        assertThatThrownBy(() -> ControlGrpc.newBlockingStub(channel(port, clientContext(NODE))).withDeadlineAfter(20, TimeUnit.SECONDS).getInventory(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, exception -> {
                    assertThat(exception.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(exception.getStatus().getDescription()).isEqualTo("this call is for admin certificates; the caller is node/k8s-node1");
                });
        AgentInventory inventory = ControlGrpc.newBlockingStub(channel(port, clientContext(ADMIN))).withDeadlineAfter(20, TimeUnit.SECONDS).getInventory(request);
        assertThat(inventory.getAgentId()).isEqualTo("k8s-node1 for admin/alice");
    }

    @Test
    void aPlainTextConnectionIsUnauthenticated()
            throws Exception
    {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(new WhoAmIService(), IdentityInterceptor.anyRole()))
                .build()
                .start();
        servers.add(server);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        channels.add(channel);

        StatusRuntimeException refused = callFails(channel);

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refused.getStatus().getDescription()).isEqualTo("the connection is not TLS; rackpilot needs a client certificate");
    }

    @Test
    void theClientChecksTheServerCertificateNamesTheAddressDialled()
            throws Exception
    {
        int port = startServer(IdentityInterceptor.anyRole());
        SslContext client = clientContext(NODE);

        assertThat(whoAmI(channel(port, client))).isEqualTo("node/k8s-node1");
        assertThat(whoAmI(channel(port, client, builder -> builder.overrideAuthority("localhost:" + port)))).isEqualTo("node/k8s-node1");

        StatusRuntimeException wrongName = callFails(channel(port, client, builder -> builder.overrideAuthority("coordinator.lab.example:" + port)));
        assertThat(wrongName.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(causes(wrongName)).anyMatch(CertificateException.class::isInstance);
    }

    @Test
    void aServerCertificateWithoutTheAddressIsRefused()
            throws Exception
    {
        TlsFiles serverFiles = files("elsewhere", authority.issue(COORDINATOR, List.of("coordinator.lab.example"), List.of("10.0.10.5"), Duration.ofHours(1)), authority);
        int port = startServer(TlsContexts.grpcServer(serverFiles), IdentityInterceptor.anyRole());
        SslContext client = clientContext(NODE);

        StatusRuntimeException byIp = callFails(channel(port, client));
        assertThat(byIp.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(causes(byIp)).anyMatch(CertificateException.class::isInstance);

        assertThat(whoAmI(channel(port, client, builder -> builder.overrideAuthority("coordinator.lab.example:" + port)))).isEqualTo("node/k8s-node1");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused()
            throws Exception
    {
        CertificateAuthority other = CertificateAuthority.create("someone else's CA", Duration.ofDays(1));
        TlsFiles impostor = files("impostor", other.issue(COORDINATOR, List.of("localhost"), List.of("127.0.0.1"), Duration.ofHours(1)), authority);
        int port = startServer(TlsContexts.grpcServer(impostor), IdentityInterceptor.anyRole());

        StatusRuntimeException refused = callFails(channel(port, clientContext(NODE)));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(causes(refused)).anyMatch(SSLException.class::isInstance);
    }

    private int startServer(IdentityInterceptor interceptor)
            throws IOException
    {
        TlsFiles serverFiles = files("coordinator", authority.issue(COORDINATOR, List.of("localhost"), List.of("127.0.0.1", "::1"), Duration.ofHours(1)), authority);
        return startServer(TlsContexts.grpcServer(serverFiles), interceptor);
    }

    private int startServer(SslContext sslContext, IdentityInterceptor interceptor)
            throws IOException
    {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sslContext(sslContext)
                .addService(ServerInterceptors.intercept(new WhoAmIService(), interceptor))
                .build()
                .start();
        servers.add(server);
        return server.getPort();
    }

    private SslContext clientContext(Identity identity)
            throws IOException
    {
        return TlsContexts.grpcClient(files(identity.role().uriName() + "-" + identity.id(), authority.issue(identity, List.of(), List.of(), Duration.ofHours(1)), authority));
    }

    private TlsFiles files(String baseName, IssuedCertificate issued, CertificateAuthority trusted)
            throws IOException
    {
        TlsFiles files = TlsFiles.inDirectory(directory.resolve(baseName), baseName);
        issued.writeTo(files.certificate(), files.privateKey());
        PemFiles.writeCertificates(files.caCertificate(), List.of(trusted.certificate()));
        return files;
    }

    private ManagedChannel channel(int port, SslContext sslContext)
    {
        return channel(port, sslContext, UnaryOperator.identity());
    }

    private ManagedChannel channel(int port, SslContext sslContext, UnaryOperator<NettyChannelBuilder> customization)
    {
        ManagedChannel channel = customization.apply(NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(sslContext)).build();
        channels.add(channel);
        return channel;
    }

    private static String whoAmI(ManagedChannel channel)
    {
        ListAgentsResponse response = ControlGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .listAgents(ListAgentsRequest.getDefaultInstance());
        return response.getAgents(0).getId();
    }

    private static StatusRuntimeException callFails(ManagedChannel channel)
    {
        try {
            String identity = whoAmI(channel);
            throw new AssertionError("the call succeeded as " + identity);
        }
        catch (StatusRuntimeException e) {
            return e;
        }
    }

    private static List<Throwable> causes(Throwable throwable)
    {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable cause = throwable; cause != null && !causes.contains(cause); cause = cause.getCause()) {
            causes.add(cause);
        }
        return causes;
    }

    /**
     * ListAgents answers with the caller's identity; GetInventory is for admins only.
     */
    private static final class WhoAmIService
            extends ControlGrpc.ControlImplBase
    {
        @Override
        public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> responses)
        {
            responses.onNext(ListAgentsResponse.newBuilder()
                    .addAgents(AgentInfo.newBuilder().setId(IdentityInterceptor.current().toString()))
                    .build());
            responses.onCompleted();
        }

        @Override
        public void getInventory(GetInventoryRequest request, StreamObserver<AgentInventory> responses)
        {
            Identity caller;
            try {
                caller = IdentityInterceptor.requireRole(IdentityRole.ADMIN);
            }
            catch (StatusRuntimeException e) {
                responses.onError(e);
                return;
            }
            responses.onNext(AgentInventory.newBuilder().setAgentId(request.getAgentId() + " for " + caller).build());
            responses.onCompleted();
        }
    }
}
