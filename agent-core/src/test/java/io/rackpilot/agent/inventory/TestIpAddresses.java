package io.rackpilot.agent.inventory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestIpAddresses
{
    @Test
    void ipv6IsWrittenAsRfc5952()
    {
        assertThat(IpAddresses.ipv6(new String[] {
                "fe80:0:0:0:fc:ff:fe00:1%eth0",
                "FD00:0:0:0:0:0:0:2",
                "2001:db8:0:0:1:0:0:1",
                "2001:0db8:0000:0001:0000:0000:0000:0001",
                "0:0:0:0:0:0:0:1",
                "2001:db8:1:1:1:1:0:1"}))
                .containsExactly(
                        "::1",
                        "2001:db8::1:0:0:1",
                        "2001:db8:0:1::1",
                        "2001:db8:1:1:1:1:0:1",
                        "fd00::2",
                        "fe80::fc:ff:fe00:1");
    }

    @Test
    void ipv4IsSortedByAddressNotByText()
    {
        assertThat(IpAddresses.ipv4(new String[] {"10.0.20.10", "10.0.20.9", "192.168.1.1", "10.0.20.9"}))
                .containsExactly("10.0.20.9", "10.0.20.10", "192.168.1.1");
    }

    @Test
    void anythingButALiteralIsDroppedAndNeverResolved()
    {
        assertThat(IpAddresses.ipv4(new String[] {"localhost", "abc.def", "1.2.3", "256.1.1.1", "", null, "::1"})).isEmpty();
        assertThat(IpAddresses.ipv6(new String[] {"localhost", "10.0.0.1", "fe80::zz"})).isEmpty();
        assertThat(IpAddresses.ipv4(null)).isEmpty();
    }

    @Test
    void anIpv4MappedAddressStaysIpv6()
    {
        assertThat(IpAddresses.ipv6(new String[] {"::ffff:10.0.0.1"})).containsExactly("::ffff:10.0.0.1");
    }

    @Test
    void aSingleZeroGroupIsNotShortened()
    {
        byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[15] = 1;
        for (int i = 2; i < 14; i += 2) {
            address[i + 1] = 1;
        }
        address[6] = 0;
        address[7] = 0;
        assertThat(IpAddresses.formatIpv6(address)).isEqualTo("2001:1:1:0:1:1:1:1");
        assertThatThrownBy(() -> IpAddresses.formatIpv6(new byte[4])).hasMessageContaining("16 bytes");
    }
}
