package io.rackpilot.common.systemd;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestUnixSocketAddress
{
    @Test
    void aPathEndsWithANulThatTheLengthCounts()
    {
        UnixSocketAddress address = UnixSocketAddress.parse("/run/systemd/notify");
        byte[] sockaddr = address.sockaddr();
        assertThat(sockaddr).hasSize(110);
        assertThat(ByteBuffer.wrap(sockaddr).order(ByteOrder.nativeOrder()).getShort()).isEqualTo((short) 1);
        assertThat(new String(sockaddr, 2, 19, StandardCharsets.UTF_8)).isEqualTo("/run/systemd/notify");
        assertThat(sockaddr[21]).isZero();
        assertThat(address.length()).isEqualTo(2 + 19 + 1);
        assertThat(address.isAbstract()).isFalse();
    }

    @Test
    void anAbstractNameStartsWithANulAndHasNoTrailingOne()
    {
        UnixSocketAddress address = UnixSocketAddress.parse("@/org/freedesktop/systemd1/notify/123");
        byte[] sockaddr = address.sockaddr();
        assertThat(sockaddr[2]).isZero();
        String name = "/org/freedesktop/systemd1/notify/123";
        assertThat(Arrays.copyOfRange(sockaddr, 3, 3 + name.length())).isEqualTo(name.getBytes(StandardCharsets.UTF_8));
        assertThat(address.length()).isEqualTo(2 + 1 + name.length());
        assertThat(address.isAbstract()).isTrue();
    }

    @Test
    void rejectsWhatIsNoUnixAddress()
    {
        assertThatThrownBy(() -> UnixSocketAddress.parse("run/notify")).hasMessageContaining("'run/notify' is neither an absolute path nor an abstract name");
        assertThatThrownBy(() -> UnixSocketAddress.parse("vsock:2:1234")).hasMessageContaining("vsock:2:1234");
        assertThatThrownBy(() -> UnixSocketAddress.parse("@")).hasMessageContaining("names no abstract socket");
        assertThatThrownBy(() -> UnixSocketAddress.parse("/" + "x".repeat(107))).hasMessageContaining("longer than the 107 bytes");
        assertThat(UnixSocketAddress.parse("/" + "x".repeat(106)).length()).isEqualTo(110);
    }
}
