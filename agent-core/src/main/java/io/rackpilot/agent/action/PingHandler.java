package io.rackpilot.agent.action;

import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.PingResult;

import static java.util.Objects.requireNonNull;

/**
 * {@code agent.ping}: echoes its message and changes nothing; proves the whole command pipeline.
 */
public final class PingHandler
        implements ActionHandler
{
    private final String agentId;

    public PingHandler(String agentId)
    {
        this.agentId = requireNonNull(agentId, "agentId is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.PING;
    }

    @Override
    public PreparedAction prepare(Action action)
    {
        ActionResult result = ActionResult.newBuilder()
                .setPing(PingResult.newBuilder().setMessage(action.getPing().getMessage()).setAgentId(agentId))
                .build();
        return new PreparedAction()
        {
            @Override
            public String summary()
            {
                return "pong" + (action.getPing().getMessage().isEmpty() ? "" : ": " + action.getPing().getMessage());
            }

            @Override
            public boolean alreadyInPlace()
            {
                return true;
            }

            @Override
            public ActionResult preview()
            {
                return result;
            }

            @Override
            public Applied apply()
            {
                return new Applied(false, summary(), result);
            }
        };
    }
}
