package io.rackpilot.common.nfs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class TestClientSpecs
{
    @ParameterizedTest
    @ValueSource(strings = {
            "10.0.20.5", "10.0.20.0/24", "10.0.20.0/255.255.255.0", "0.0.0.0/0",
            "fd00::1", "fd00::/64", "::1", "::", "2001:db8:0:0:0:0:0:1", "::ffff:10.0.20.5", "fe80::/10",
            "nas", "pve-01.lan", "Node7.Example.Org", "*", "*.lan", "node?.lan", "k8s-*.cluster.lan",
            "@cluster", "@k8s_nodes"})
    void acceptsValidSpecs(String spec)
    {
        assertThat(ClientSpecs.problem(spec)).isEmpty();
    }

    @Test
    void rejectsWhitespaceAndSyntaxCharacters()
    {
        assertThat(ClientSpecs.problem("10.0.20.0/24 10.0.21.0/24")).hasValueSatisfying(message -> assertThat(message).contains("whitespace"));
        assertThat(ClientSpecs.problem("nas\n/etc 0.0.0.0/0(rw)")).hasValueSatisfying(message -> assertThat(message).contains("\\n").doesNotContain("\n"));
        assertThat(ClientSpecs.problem("nas(rw)")).hasValueSatisfying(message -> assertThat(message).contains("'('"));
        assertThat(ClientSpecs.problem("a,b")).hasValueSatisfying(message -> assertThat(message).contains("','"));
        assertThat(ClientSpecs.problem("\"nas\"")).isPresent();
        assertThat(ClientSpecs.problem("")).hasValue("client spec is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "10.0.20.256", "10.0.20", "10.0.20.0/33", "10.0.20.0/", "10.0.20.0/24/1", "10.0.20.0/255.255.255.256",
            "fd00::/129", "fd00:::1", "1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::ffff:10.0.20",
            "nas..lan", ".lan", "lan.", "-nas.lan", "nas_01.lan", "*.l@n", "@", "@bad group", "@-x",
            "nas.lan/24", "gss/krb5"})
    void rejectsInvalidSpecs(String spec)
    {
        assertThat(ClientSpecs.problem(spec)).isPresent();
    }
}
