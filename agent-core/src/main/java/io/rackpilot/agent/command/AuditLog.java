package io.rackpilot.agent.command;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandResult;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * One line per command on standard output, for journald: who asked, what, with which parameters,
 * and how it ended.
 *
 * <pre>audit command=01JD... action=agent.ping requested_by=admin/alice dry_run=false params={"message":"hi"} outcome=succeeded changed=false duration_ms=3 message="pong"</pre>
 */
public final class AuditLog
        implements CommandObserver
{
    private static final JsonFormat.Printer PARAMETERS = JsonFormat.printer().omittingInsignificantWhitespace();

    private final PrintStream output;

    public AuditLog(PrintStream output)
    {
        this.output = requireNonNull(output, "output is null");
    }

    @Override
    public void finished(Command command, CommandResult result, Duration duration)
    {
        output.println(format(command, result, duration));
    }

    static String format(Command command, CommandResult result, Duration duration)
    {
        return "audit command=" + command.getId()
                + " action=" + ActionNames.of(command.getAction())
                + " requested_by=" + quoteIfNeeded(command.getRequestedBy().isEmpty() ? "unknown" : command.getRequestedBy())
                + " dry_run=" + command.getDryRun()
                + " params=" + parameters(command.getAction())
                + " outcome=" + outcomeName(result)
                + " changed=" + result.getChanged()
                + " duration_ms=" + duration.toMillis()
                + " message=" + quote(result.getMessage());
    }

    private static String parameters(Action action)
    {
        if (action.getKindCase() == Action.KindCase.KIND_NOT_SET) {
            return "{}";
        }
        Message parameters = (Message) action.getField(Action.getDescriptor().findFieldByNumber(action.getKindCase().getNumber()));
        try {
            return PARAMETERS.print(parameters);
        }
        catch (InvalidProtocolBufferException e) {
            return "unprintable";
        }
    }

    private static String outcomeName(CommandResult result)
    {
        return result.getOutcome().name().replaceFirst("^OUTCOME_", "").toLowerCase(Locale.ROOT);
    }

    private static String quoteIfNeeded(String value)
    {
        return value.matches("[A-Za-z0-9._/:@-]+") ? value : quote(value);
    }

    private static String quote(String value)
    {
        StringBuilder quoted = new StringBuilder("\"");
        for (char character : value.toCharArray()) {
            switch (character) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                default -> quoted.append(character);
            }
        }
        return quoted.append('"').toString();
    }
}
