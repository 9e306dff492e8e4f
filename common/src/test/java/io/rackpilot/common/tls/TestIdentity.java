package io.rackpilot.common.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestIdentity
{
    @Test
    void rolesHaveLowerCaseUriNames()
    {
        assertThat(IdentityRole.HOST.uriName()).isEqualTo("host");
        assertThat(IdentityRole.NODE.uriName()).isEqualTo("node");
        assertThat(IdentityRole.COORDINATOR.uriName()).isEqualTo("coordinator");
        assertThat(IdentityRole.ADMIN.uriName()).isEqualTo("admin");
        for (IdentityRole role : IdentityRole.values()) {
            assertThat(IdentityRole.parse(role.uriName())).isEqualTo(role);
        }
    }

    @Test
    void unknownRoleNamesTheRoleAndTheChoices()
    {
        assertThatThrownBy(() -> IdentityRole.parse("pod"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown role 'pod'; expected one of host, node, coordinator, admin");
        assertThatThrownBy(() -> IdentityRole.parse("NODE"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown role 'NODE'");
    }

    @Test
    void identityRoundTripsThroughItsUri()
    {
        Identity identity = new Identity(IdentityRole.NODE, "k8s-node1");

        assertThat(identity.toUri()).isEqualTo(URI.create("rackpilot://node/k8s-node1"));
        assertThat(identity.toString()).isEqualTo("node/k8s-node1");
        assertThat(Identity.fromUri("rackpilot://node/k8s-node1")).isEqualTo(identity);
        assertThat(Identity.fromUri("rackpilot://host/pve")).isEqualTo(new Identity(IdentityRole.HOST, "pve"));
        assertThat(Identity.fromUri("rackpilot://admin/alice")).isEqualTo(new Identity(IdentityRole.ADMIN, "alice"));
        assertThat(Identity.fromUri("rackpilot://coordinator/coordinator")).isEqualTo(new Identity(IdentityRole.COORDINATOR, "coordinator"));
        assertThat(Identity.parse("node/k8s-node1")).isEqualTo(identity);
        assertThat(Identity.parse(identity.toString())).isEqualTo(identity);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "k8s-node1", "pve", "gpu_box.2", "A1", "0"})
    void acceptsValidIds(String id)
    {
        assertThat(new Identity(IdentityRole.NODE, id).id()).isEqualTo(id);
        assertThat(Identity.fromUri("rackpilot://node/" + id).id()).isEqualTo(id);
    }

    @Test
    void acceptsIdsUpTo63Characters()
    {
        String longest = "a".repeat(63);
        assertThat(new Identity(IdentityRole.HOST, longest).id()).isEqualTo(longest);
        assertThatThrownBy(() -> new Identity(IdentityRole.HOST, longest + "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid id '" + longest + "a'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-node", ".node", "_node", "node/1", "node 1", "nöde", "node:1", "node%2F"})
    void rejectsInvalidIdsNamingThem(String id)
    {
        assertThatThrownBy(() -> new Identity(IdentityRole.NODE, id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid id '" + id + "': an id is 1 to 63 characters of letters, digits, '.', '_' and '-', starting with a letter or digit");
    }

    @Test
    void rejectsMalformedUrisWithAClearMessage()
    {
        assertThatThrownBy(() -> Identity.fromUri("https://node/k8s-node1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity URI 'https://node/k8s-node1' does not start with rackpilot:// (expected rackpilot://<role>/<id>)");
        assertThatThrownBy(() -> Identity.fromUri("rackpilot://node"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity URI 'rackpilot://node' is not of the form rackpilot://<role>/<id>");
        assertThatThrownBy(() -> Identity.fromUri("rackpilot://node/k8s/node1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity URI 'rackpilot://node/k8s/node1' is not of the form rackpilot://<role>/<id>");
        assertThatThrownBy(() -> Identity.fromUri("rackpilot://pod/web-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity URI 'rackpilot://pod/web-1': unknown role 'pod'; expected one of host, node, coordinator, admin");
        assertThatThrownBy(() -> Identity.fromUri("rackpilot://node/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("identity URI 'rackpilot://node/': invalid id ''");
        assertThatThrownBy(() -> Identity.fromUri("rackpilot://node/k8s-node1?x=1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("identity URI 'rackpilot://node/k8s-node1?x=1': invalid id 'k8s-node1?x=1'");
        assertThatThrownBy(() -> Identity.parse("k8s-node1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity 'k8s-node1' is not of the form <role>/<id>");
    }
}
