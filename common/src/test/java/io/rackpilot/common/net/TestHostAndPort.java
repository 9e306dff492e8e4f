package io.rackpilot.common.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestHostAndPort
{
    @Test
    void parsesTheFormsOperatorsWrite()
    {
        assertThat(HostAndPort.parse("devvm:7450", -1)).isEqualTo(new HostAndPort("devvm", 7450));
        assertThat(HostAndPort.parse("10.0.10.5", 7450)).isEqualTo(new HostAndPort("10.0.10.5", 7450));
        assertThat(HostAndPort.parse("[::1]:9450", -1)).isEqualTo(new HostAndPort("::1", 9450));
        assertThat(HostAndPort.parse("[::1]", 9450)).isEqualTo(new HostAndPort("::1", 9450));
        assertThat(HostAndPort.parse(" 0.0.0.0:0 ", -1)).isEqualTo(new HostAndPort("0.0.0.0", 0));
    }

    @Test
    void printsIpv6InBrackets()
    {
        assertThat(new HostAndPort("::1", 7450)).hasToString("[::1]:7450");
        assertThat(new HostAndPort("devvm", 7450)).hasToString("devvm:7450");
    }

    @Test
    void namesWhatIsWrong()
    {
        assertThatThrownBy(() -> HostAndPort.parse("devvm:http", -1)).hasMessage("address 'devvm:http' has a port that is not a number: 'http'");
        assertThatThrownBy(() -> HostAndPort.parse("devvm", -1)).hasMessage("address 'devvm' has no port (expected host:port)");
        assertThatThrownBy(() -> HostAndPort.parse("devvm:70000", -1)).hasMessage("address 'devvm:70000': port 70000 is outside 0..65535");
        assertThatThrownBy(() -> HostAndPort.parse("::1:80", -1)).hasMessageContaining("write IPv6 addresses as [address]:port");
        assertThatThrownBy(() -> HostAndPort.parse(":80", -1)).hasMessage("address ':80' has no host");
        assertThatThrownBy(() -> HostAndPort.parse("", -1)).hasMessageContaining("address is empty");
    }
}
