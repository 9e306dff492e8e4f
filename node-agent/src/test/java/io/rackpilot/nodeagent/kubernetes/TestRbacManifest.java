package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RBAC manifest shipped in docs/ grants exactly what the agent's calls need, no more.
 */
class TestRbacManifest
{
    private static final Path MANIFEST = Path.of("..", "docs", "kubernetes", "rackpilot-node-agent.yaml");

    @Test
    void grantsExactlyWhatTheAgentCalls()
            throws IOException
    {
        List<HasMetadata> objects;
        try (InputStream input = Files.newInputStream(MANIFEST)) {
            Object parsed = Serialization.unmarshal(input);
            if (parsed instanceof KubernetesList list) {
                objects = list.getItems();
            }
            else {
                objects = ((List<?>) parsed).stream().map(HasMetadata.class::cast).toList();
            }
        }
        assertThat(objects).extracting(HasMetadata::getKind).containsExactly("Namespace", "ServiceAccount", "Secret", "ClusterRole", "ClusterRoleBinding");
        ClusterRole role = (ClusterRole) objects.get(3);
        assertThat(role.getRules()).extracting(TestRbacManifest::describe).containsExactly(
                "[] [nodes] [get, list, watch, patch]",
                "[] [nodes/status] [patch]",
                "[] [pods] [get, list, delete]",
                "[] [pods/eviction] [create]",
                "[apps] [daemonsets] [get]");
        ClusterRoleBinding binding = (ClusterRoleBinding) objects.get(4);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(objects.get(1).getMetadata().getName());
            assertThat(subject.getNamespace()).isEqualTo(objects.get(1).getMetadata().getNamespace());
        });
    }

    private static String describe(PolicyRule rule)
    {
        return rule.getApiGroups().stream().filter(group -> !group.isEmpty()).toList() + " " + rule.getResources() + " " + rule.getVerbs();
    }
}
