package io.rackpilot.hostagent.nfs;

import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExportsApplyAction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestNfsExportsValidation
{
    private final NfsExportsValidation validation = new NfsExportsValidation(List.of("/srv"));

    static NfsExport export(String path, String spec, String... options)
    {
        return NfsExport.newBuilder()
                .setPath(path)
                .addClients(NfsClient.newBuilder().setSpec(spec).addAllOptions(List.of(options)))
                .build();
    }

    private List<String> problems(NfsExport... exports)
    {
        return validation.problems(NfsExportsApplyAction.newBuilder().addAllExports(List.of(exports)).build());
    }

    @Test
    void acceptsTheSeedExports()
    {
        assertThat(problems(
                export("/srv/nfs", "10.0.20.0/24", "rw", "sync", "no_subtree_check", "no_root_squash"),
                export("/srv/nfs-ssd", "10.0.20.0/24", "rw", "sync", "no_subtree_check", "no_root_squash"))).isEmpty();
        assertThat(problems()).isEmpty();
        assertThat(problems(export("/srv", "*", "ro"))).isEmpty();
    }

    @Test
    void rejectsBadPathsNamingTheField()
    {
        assertThat(problems(export("/srv/ok", "nas", "ro"), export("srv/nfs", "nas", "ro")))
                .containsExactly("exports[1].path: path 'srv/nfs' is not absolute");
        assertThat(problems(export("/srv/nfs/../../etc", "nas", "ro")))
                .containsExactly("exports[0].path: path '/srv/nfs/../../etc' has a '..' segment");
        assertThat(problems(export("/srv/./nfs", "nas", "ro"))).singleElement().asString().contains("'.' segment");
        assertThat(problems(export("/srv//nfs", "nas", "ro"))).singleElement().asString().contains("not normalised");
        assertThat(problems(export("/srv/nfs/", "nas", "ro"))).singleElement().asString().contains("not normalised");
        assertThat(problems(export("/etc", "nas", "ro")))
                .containsExactly("exports[0].path: '/etc' is not under an export root [/srv]");
        assertThat(problems(export("/srvx", "nas", "ro"))).singleElement().asString().contains("not under an export root");
        assertThat(problems(export("/srv/nfs\n/etc", "*", "rw")))
                .containsExactly("exports[0].path: path '/srv/nfs\\n/etc' contains whitespace or a control character");
        assertThat(problems(export("/srv/my share", "nas", "ro"))).singleElement().asString().contains("whitespace");
        assertThat(problems(export("/srv/\"x\"", "nas", "ro"))).singleElement().asString().contains("'\"'");
        assertThat(problems(export("", "nas", "ro"))).containsExactly("exports[0].path: path is empty");
    }

    @Test
    void rejectsDuplicatesAndMissingClients()
    {
        assertThat(problems(export("/srv/nfs", "nas", "ro"), export("/srv/nfs", "pve", "ro")))
                .containsExactly("exports[1].path: '/srv/nfs' is exported twice (also exports[0]); put all its clients in one export");
        NfsExport twice = NfsExport.newBuilder()
                .setPath("/srv/nfs")
                .addClients(NfsClient.newBuilder().setSpec("nas.lan").addOptions("ro"))
                .addClients(NfsClient.newBuilder().setSpec("NAS.lan").addOptions("rw"))
                .build();
        assertThat(problems(twice)).singleElement().asString().startsWith("exports[0].clients[1].spec: client 'NAS.lan' is given twice");
        assertThat(problems(NfsExport.newBuilder().setPath("/srv/nfs").build()))
                .containsExactly("exports[0].clients: an export needs at least one client");
    }

    @Test
    void reportsEveryProblemWithItsField()
    {
        assertThat(problems(
                export("/srv/nfs", "10.0.20.0/24", "rw"),
                export("/srv/ssd", "10.0.20.0/24 10.0.21.0/24", "rw", "sync", "no_root_sqash")))
                .containsExactly(
                        "exports[1].clients[0].spec: client spec '10.0.20.0/24 10.0.21.0/24' contains whitespace or a control character",
                        "exports[1].clients[0].options[2]: unknown export option 'no_root_sqash'");
    }

    @Test
    void rootsMustBeAbsoluteAndNormalised()
    {
        assertThatThrownBy(() -> new NfsExportsValidation(List.of("srv"))).hasMessageContaining("not absolute");
        assertThatThrownBy(() -> new NfsExportsValidation(List.of())).hasMessageContaining("empty");
        assertThat(new NfsExportsValidation(List.of("/")).problems(NfsExportsApplyAction.newBuilder()
                .addExports(export("/anything", "nas", "ro")).build())).isEmpty();
    }
}
