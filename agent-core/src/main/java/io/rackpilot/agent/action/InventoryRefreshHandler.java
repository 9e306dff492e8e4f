package io.rackpilot.agent.action;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.agent.report.InventoryReporter;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.InventoryRefreshResult;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

import static java.util.Objects.requireNonNull;

/**
 * {@code inventory.refresh}: collect the inventory now and report what changed, instead of waiting
 * for the next scheduled collection. Changes nothing on the machine.
 */
public final class InventoryRefreshHandler
        implements ActionHandler
{
    private final InventoryReporter reporter;

    public InventoryRefreshHandler(InventoryReporter reporter)
    {
        this.reporter = requireNonNull(reporter, "reporter is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.INVENTORY_REFRESH;
    }

    @Override
    public Duration timeout()
    {
        return Duration.ofSeconds(30);
    }

    @Override
    public PreparedAction prepare(Action action)
    {
        return PreparedAction.of("collect and report the inventory now", false, ActionResult.newBuilder().setInventoryRefresh(InventoryRefreshResult.getDefaultInstance()).build(), () -> {
            List<String> changed;
            try {
                changed = reporter.refreshNow().get();
            }
            catch (RejectedExecutionException e) {
                // the inventory thread has stopped: the agent is stopping
                throw new InterruptedException("the agent is stopping; the inventory was not collected");
            }
            catch (ExecutionException e) {
                throw ActionException.failed("inventory collection failed: " + e.getCause(), e.getCause());
            }
            String message = changed.isEmpty() ? "inventory collected; nothing changed" : "inventory collected; changed: " + String.join(", ", changed);
            return new PreparedAction.Applied(false, message, ActionResult.newBuilder()
                    .setInventoryRefresh(InventoryRefreshResult.newBuilder().addAllChangedSections(changed))
                    .build());
        });
    }
}
