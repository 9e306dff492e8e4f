package io.rackpilot.plan.validation;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong, or worth knowing, about a plan, at the line of the key it is about:
 *
 * <pre>
 * homelab.yaml:97: spec.vms[4].ip: 10.0.30.5 is not inside 10.0.20.0/24, the network of its interface net0 (vmbr1 vlan 20)
 * homelab.yaml:25: warning: spec.host.memory: the VMs are given 196GiB of memory, more than the host's 160GiB (over-committed by 36GiB)
 * </pre>
 *
 * @param severity whether the plan cannot be used ({@link Severity#ERROR}) or only deserves a look
 * @param sourceName the file as it was given, or the name that stands for the text
 * @param line the 1-based line; 0 when unknown (a file that cannot be read)
 * @param field the path of the key ({@code spec.vms[4].ip}); empty for the document as a whole
 * @param message what is wrong, for a person
 */
public record PlanFinding(Severity severity, String sourceName, int line, String field, String message)
{
    public enum Severity
    {
        ERROR,
        WARNING,
    }

    public PlanFinding
    {
        requireNonNull(severity, "severity is null");
        requireNonNull(sourceName, "sourceName is null");
        if (line < 0) {
            throw new IllegalArgumentException("line must not be negative: " + line);
        }
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }

    public static PlanFinding error(String sourceName, int line, String field, String message)
    {
        return new PlanFinding(Severity.ERROR, sourceName, line, field, message);
    }

    public static PlanFinding warning(String sourceName, int line, String field, String message)
    {
        return new PlanFinding(Severity.WARNING, sourceName, line, field, message);
    }

    public boolean isError()
    {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString()
    {
        StringBuilder text = new StringBuilder(sourceName);
        if (line > 0) {
            text.append(':').append(line);
        }
        text.append(": ");
        if (severity == Severity.WARNING) {
            text.append("warning: ");
        }
        if (!field.isEmpty()) {
            text.append(field).append(": ");
        }
        return text.append(message).toString();
    }
}
