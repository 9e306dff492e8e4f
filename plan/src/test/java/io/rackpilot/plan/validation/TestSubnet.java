package io.rackpilot.plan.validation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestSubnet
{
    @Test
    void ipv4Containment()
    {
        Subnet subnet = Subnet.parse("10.0.20.0/24").orElseThrow();
        assertThat(subnet.contains("10.0.20.0")).isTrue();
        assertThat(subnet.contains("10.0.20.100")).isTrue();
        assertThat(subnet.contains("10.0.20.255")).isTrue();
        assertThat(subnet.contains("10.0.21.1")).isFalse();
        assertThat(subnet.contains("10.0.30.5")).isFalse();
        assertThat(subnet.contains("11.0.20.1")).isFalse();
    }

    @Test
    void ipv4PrefixesNotOnAByteBoundary()
    {
        Subnet subnet = Subnet.parse("192.168.1.64/26").orElseThrow();
        assertThat(subnet.contains("192.168.1.64")).isTrue();
        assertThat(subnet.contains("192.168.1.127")).isTrue();
        assertThat(subnet.contains("192.168.1.63")).isFalse();
        assertThat(subnet.contains("192.168.1.128")).isFalse();
        assertThat(Subnet.parse("10.0.0.0/12").orElseThrow().contains("10.15.255.255")).isTrue();
        assertThat(Subnet.parse("10.0.0.0/12").orElseThrow().contains("10.16.0.0")).isFalse();
    }

    @Test
    void wholeAndSingleAddressPrefixes()
    {
        assertThat(Subnet.parse("0.0.0.0/0").orElseThrow().contains("203.0.113.9")).isTrue();
        assertThat(Subnet.parse("10.0.20.7/32").orElseThrow().contains("10.0.20.7")).isTrue();
        assertThat(Subnet.parse("10.0.20.7/32").orElseThrow().contains("10.0.20.6")).isFalse();
        assertThat(Subnet.parse("::/0").orElseThrow().contains("2001:db8::1")).isTrue();
        assertThat(Subnet.parse("::1/128").orElseThrow().contains("::1")).isTrue();
        assertThat(Subnet.parse("::1/128").orElseThrow().contains("::2")).isFalse();
    }

    @Test
    void hostBitsInTheSubnetAreIgnored()
    {
        Subnet subnet = Subnet.parse("10.0.20.77/24").orElseThrow();
        assertThat(subnet.contains("10.0.20.1")).isTrue();
        assertThat(subnet).hasToString("10.0.20.0/24");
        assertThat(subnet).isEqualTo(Subnet.parse("10.0.20.0/24").orElseThrow());
    }

    @Test
    void ipv6Containment()
    {
        Subnet subnet = Subnet.parse("fd00:20::/64").orElseThrow();
        assertThat(subnet.isIpv6()).isTrue();
        assertThat(subnet.contains("fd00:20::1")).isTrue();
        assertThat(subnet.contains("fd00:20:0:0:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(subnet.contains("FD00:0020:0000:0000:0000:0000:0000:0100")).isTrue();
        assertThat(subnet.contains("fd00:20:0:1::1")).isFalse();
        assertThat(subnet.contains("fd00:21::1")).isFalse();
        Subnet odd = Subnet.parse("2001:db8:abcd:8000::/49").orElseThrow();
        assertThat(odd.contains("2001:db8:abcd:8000::1")).isTrue();
        assertThat(odd.contains("2001:db8:abcd:ffff::1")).isTrue();
        assertThat(odd.contains("2001:db8:abcd:7fff::1")).isFalse();
    }

    @Test
    void ipv6WithAnEmbeddedIpv4Address()
    {
        Subnet mapped = Subnet.parse("::ffff:0:0/96").orElseThrow();
        assertThat(mapped.contains("::ffff:10.0.20.5")).isTrue();
        assertThat(mapped.contains("::fffe:10.0.20.5")).isFalse();
        assertThat(Subnet.parseAddress("::ffff:10.0.20.5").orElseThrow()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 20, 5);
    }

    @Test
    void familiesDoNotContainEachOther()
    {
        assertThat(Subnet.parse("0.0.0.0/0").orElseThrow().contains("::1")).isFalse();
        assertThat(Subnet.parse("::/0").orElseThrow().contains("10.0.20.5")).isFalse();
        assertThat(Subnet.parse("::/0").orElseThrow().contains(Subnet.parse("10.0.0.0/8").orElseThrow())).isFalse();
    }

    @Test
    void subnetContainment()
    {
        Subnet subnet = Subnet.parse("10.0.0.0/16").orElseThrow();
        assertThat(subnet.contains(Subnet.parse("10.0.20.0/24").orElseThrow())).isTrue();
        assertThat(subnet.contains(Subnet.parse("10.0.0.0/16").orElseThrow())).isTrue();
        assertThat(subnet.contains(Subnet.parse("10.0.0.0/15").orElseThrow())).isFalse();
        assertThat(subnet.contains(Subnet.parse("10.1.0.0/24").orElseThrow())).isFalse();
    }

    @Test
    void refusesWhatIsNotAnAddressOrSubnet()
    {
        assertThat(Subnet.parse("10.0.20.0")).isEmpty();
        assertThat(Subnet.parse("10.0.20.0/33")).isEmpty();
        assertThat(Subnet.parse("10.0.20.0/")).isEmpty();
        assertThat(Subnet.parse("10.0.20.0/x")).isEmpty();
        assertThat(Subnet.parse("fd00::/129")).isEmpty();
        assertThat(Subnet.parse("*.lab")).isEmpty();
        assertThat(Subnet.parse("@k8s")).isEmpty();
        assertThat(Subnet.parseAddress("10.0.20")).isEmpty();
        assertThat(Subnet.parseAddress("10.0.20.256")).isEmpty();
        assertThat(Subnet.parseAddress("10.0.20.-1")).isEmpty();
        assertThat(Subnet.parseAddress("1::2::3")).isEmpty();
        assertThat(Subnet.parseAddress("1:2:3:4:5:6:7")).isEmpty();
        assertThat(Subnet.parseAddress("1:2:3:4:5:6:7:8:9")).isEmpty();
        assertThat(Subnet.parseAddress("1:2:3:4::5:6:7:8")).isEmpty();
        assertThat(Subnet.parseAddress("12345::")).isEmpty();
        assertThat(Subnet.parseAddress("g::1")).isEmpty();
        assertThat(Subnet.parseAddress("1.2.3.4::")).isEmpty();
        assertThat(Subnet.parseAddress("1:2:3:4:5:6:7:8")).isPresent();
        assertThat(Subnet.parseAddress("1:2:3:4:5:6:1.2.3.4")).isPresent();
        assertThat(Subnet.parseAddress("::")).isPresent();
    }
}
