package io.rackpilot.plan;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestAddresses
{
    @Test
    void recognisesIpAddresses()
    {
        assertThat(Addresses.isIpAddress("10.0.20.100")).isTrue();
        assertThat(Addresses.isIpAddress("255.255.255.255")).isTrue();
        assertThat(Addresses.isIpAddress("fd00::1")).isTrue();
        assertThat(Addresses.isIpAddress("::")).isTrue();
        assertThat(Addresses.isIpAddress("1:2:3:4:5:6:7:8")).isTrue();
        assertThat(Addresses.isIpAddress("::ffff:10.0.20.1")).isTrue();

        assertThat(Addresses.isIpAddress("10.0.20.256")).isFalse();
        assertThat(Addresses.isIpAddress("10.0.20")).isFalse();
        assertThat(Addresses.isIpAddress("k8s-master")).isFalse();
        assertThat(Addresses.isIpAddress("1:2:3:4:5:6:7")).isFalse();
        assertThat(Addresses.isIpAddress("1::2::3")).isFalse();
        assertThat(Addresses.isIpAddress(":1")).isFalse();
        assertThat(Addresses.isIpAddress("12345::1")).isFalse();
    }

    @Test
    void recognisesSubnets()
    {
        assertThat(Addresses.isCidr("10.0.20.0/24")).isTrue();
        assertThat(Addresses.isCidr("0.0.0.0/0")).isTrue();
        assertThat(Addresses.isCidr("fd00:20::/64")).isTrue();

        assertThat(Addresses.isCidr("10.0.20.0")).isFalse();
        assertThat(Addresses.isCidr("10.0.20.0/33")).isFalse();
        assertThat(Addresses.isCidr("10.0.20.0/")).isFalse();
        assertThat(Addresses.isCidr("10.0.20.0/x")).isFalse();
        assertThat(Addresses.isCidr("fd00::/129")).isFalse();
    }
}
