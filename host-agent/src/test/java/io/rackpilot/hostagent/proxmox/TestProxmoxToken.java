package io.rackpilot.hostagent.proxmox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestProxmoxToken
{
    private static final String SECRET = "9b0c1d2e-aaaa-4bbb-8ccc-123456789abc";

    @TempDir
    Path directory;

    @Test
    void readsTokenWithoutShowingTheSecret()
            throws IOException
    {
        Path file = Files.writeString(directory.resolve("token"), "rackpilot@pve!host-agent=" + SECRET + "\n");
        ProxmoxToken token = ProxmoxToken.read(file);
        assertThat(token.tokenName()).isEqualTo("rackpilot@pve!host-agent");
        assertThat(token.userId()).isEqualTo("rackpilot@pve");
        assertThat(token.authorizationHeader()).isEqualTo("PVEAPIToken=rackpilot@pve!host-agent=" + SECRET);
        assertThat(token.toString()).doesNotContain(SECRET).contains("rackpilot@pve!host-agent");
    }

    @Test
    void malformedTokensNameTheFileAndHideTheSecret()
            throws IOException
    {
        Path noRealm = Files.writeString(directory.resolve("no-realm"), "rackpilot!host-agent=" + SECRET);
        assertThatThrownBy(() -> ProxmoxToken.read(noRealm))
                .hasMessageContaining(noRealm.toString())
                .hasMessageContaining("no @REALM")
                .hasMessageNotContaining(SECRET);
        Path noTokenId = Files.writeString(directory.resolve("no-token-id"), "rackpilot@pve=" + SECRET);
        assertThatThrownBy(() -> ProxmoxToken.read(noTokenId)).hasMessageContaining("no !TOKENID").hasMessageNotContaining(SECRET);
        Path noSecret = Files.writeString(directory.resolve("no-secret"), "rackpilot@pve!host-agent");
        assertThatThrownBy(() -> ProxmoxToken.read(noSecret)).hasMessageContaining("no =SECRET");
        Path empty = Files.writeString(directory.resolve("empty"), "\n");
        assertThatThrownBy(() -> ProxmoxToken.read(empty)).hasMessageContaining("is empty");
        Path twoLines = Files.writeString(directory.resolve("two-lines"), "a@pve!b=" + SECRET + "\nc@pve!d=" + SECRET);
        assertThatThrownBy(() -> ProxmoxToken.read(twoLines)).hasMessageContaining("more than one line").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> ProxmoxToken.read(directory.resolve("missing")))
                .hasMessageContaining("cannot read the Proxmox API token file")
                .hasMessageContaining("missing");
    }
}
