package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.regex.Pattern;

/**
 * What makes a VM a Kubernetes node.
 *
 * @param nodeName the name of its Node object ({@code k8s-node1}): a DNS subdomain name
 */
public record KubernetesNode(String nodeName)
{
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public KubernetesNode
    {
        nodeName = ConfigValues.requiredText(nodeName, "nodeName");
        if (nodeName.length() > 253 || !DNS_SUBDOMAIN.matcher(nodeName).matches()) {
            throw new ConfigValueException("nodeName", "expected a Kubernetes node name (lower-case letters, digits, '-' and '.'), got \"" + nodeName + "\"");
        }
    }
}
