package io.rackpilot.common.nfs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestExportOptions
{
    private static final String FIELD = "exports[1].clients[0].options";

    @Test
    void acceptsTheSeedOptionsAndEveryKnownOption()
    {
        assertThat(ExportOptions.problems(FIELD, List.of("rw", "sync", "no_subtree_check", "no_root_squash"))).isEmpty();
        assertThat(ExportOptions.problems(FIELD, List.of(
                "ro", "async", "insecure", "no_wdelay", "nohide", "crossmnt", "subtree_check", "insecure_locks",
                "all_squash", "anonuid=1000", "anongid=100", "fsid=0", "sec=krb5p:krb5i:krb5:sys", "mountpoint=/srv/nfs",
                "refer=/export@10.0.20.2+10.0.20.3", "replicas=/a@nas1:/b@nas2", "pnfs", "security_label", "nordirplus",
                "no_acl"))).isEmpty();
        assertThat(ExportOptions.problems(FIELD, List.of("secure", "wdelay", "hide", "nocrossmnt", "secure_locks", "root_squash",
                "no_all_squash", "mp", "no_pnfs", "acl", "fsid=root"))).isEmpty();
        assertThat(ExportOptions.problems(FIELD, List.of("fsid=6f1c2b7e-1111-2222-3333-444455556666", "mountpoint"))).isEmpty();
    }

    @Test
    void namesTheFieldOfAnUnknownOption()
    {
        assertThat(ExportOptions.problems(FIELD, List.of("rw", "sync", "no_root_sqash")))
                .containsExactly("exports[1].clients[0].options[2]: unknown export option 'no_root_sqash'");
        assertThat(ExportOptions.problems(FIELD, List.of("xprtsec=none")))
                .containsExactly("exports[1].clients[0].options[0]: unknown export option 'xprtsec=none'");
    }

    @Test
    void rejectsContradictionsAndRepeats()
    {
        assertThat(ExportOptions.problems(FIELD, List.of("rw", "sync", "ro")))
                .containsExactly("exports[1].clients[0].options[2]: option 'ro' contradicts 'rw' (exports[1].clients[0].options[0])");
        assertThat(ExportOptions.problems(FIELD, List.of("sync", "async"))).singleElement().asString().contains("options[1]", "'async' contradicts 'sync'");
        assertThat(ExportOptions.problems(FIELD, List.of("root_squash", "no_root_squash"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("secure_locks", "no_auth_nlm"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("mp", "mountpoint=/srv"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("anonuid=1", "anonuid=2")))
                .containsExactly("exports[1].clients[0].options[1]: option 'anonuid' is given twice (also exports[1].clients[0].options[0])");
        assertThat(ExportOptions.problems(FIELD, List.of("rw", "rw"))).singleElement().asString().contains("given twice");
    }

    @Test
    void rejectsBadValuesAndCharacters()
    {
        assertThat(ExportOptions.problems(FIELD, List.of("anonuid=abc"))).singleElement().asString().contains("options[0]", "numeric id");
        assertThat(ExportOptions.problems(FIELD, List.of("anongid=-1"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("anonuid=99999999999"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("fsid=uuid"))).singleElement().asString().contains("'root' or a UUID");
        assertThat(ExportOptions.problems(FIELD, List.of("sec=bogus"))).singleElement().asString().contains("unknown security flavor 'bogus'");
        assertThat(ExportOptions.problems(FIELD, List.of("sec=sys:"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("mountpoint=relative"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("mountpoint=/srv/../etc"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("refer=nowhere"))).hasSize(1);
        assertThat(ExportOptions.problems(FIELD, List.of("rw,no_root_squash"))).singleElement().asString().contains("contains ','");
        assertThat(ExportOptions.problems(FIELD, List.of("rw)\n/etc *(rw"))).singleElement().asString().doesNotContain("\n");
        assertThat(ExportOptions.problems(FIELD, List.of(""))).containsExactly("exports[1].clients[0].options[0]: export option is empty");
    }

    @Test
    void effectiveAccessAndRootSquash()
    {
        assertThat(ExportOptions.access(List.of("sync"))).isEqualTo("ro");
        assertThat(ExportOptions.access(List.of("rw", "sync"))).isEqualTo("rw");
        assertThat(ExportOptions.rootSquash(List.of("rw"))).isEqualTo("root_squash");
        assertThat(ExportOptions.rootSquash(List.of("rw", "no_root_squash"))).isEqualTo("no_root_squash");
    }
}
