package io.rackpilot.cli.dev;

import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.Rackctl;
import io.rackpilot.cli.client.ClientSettings;
import io.rackpilot.common.logging.Logging;
import io.rackpilot.plan.validation.PlanValidation;
import io.rackpilot.plan.validation.PlanValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;

@Command(name = "dev", description = "Run a whole simulated homelab in this process: a coordinator, the host-agent and one node-agent per Kubernetes VM of the plan, on loopback with a throwaway CA.")
public final class DevCommand
        implements Callable<Integer>
{
    @ParentCommand
    private Rackctl rackctl;

    @Option(names = "--plan", paramLabel = "FILE", description = "The homelab plan (default: docs/examples/homelab.yaml).")
    private Path planFile;

    @Option(names = "--port", paramLabel = "PORT", description = "The coordinator's gRPC port (default 7450).")
    private int port = 7450;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "The coordinator's metrics port (default 9450); the agents take the ports after it.")
    private int metricsPort = 9450;

    @Override
    public Integer call()
            throws IOException
    {
        Path plan;
        try {
            plan = locatePlan();
        }
        catch (IllegalArgumentException e) {
            rackctl.err().println("rackctl dev: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        PlanValidation validation = PlanValidator.validate(plan);
        if (!validation.valid()) {
            validation.errors().forEach(error -> rackctl.err().println("rackctl dev: " + error));
            return ExitCodes.BAD_INPUT;
        }
        Logging.configure(Level.WARNING);
        Path clientDirectory = ClientSettings.devDirectory(rackctl.environment());
        DevHomelab running;
        try {
            running = DevHomelab.start(plan, port, metricsPort, clientDirectory, rackctl.environment(), rackctl.out());
        }
        catch (IOException e) {
            rackctl.err().println("rackctl dev: " + e.getMessage() + " (is another rackctl dev or coordinator running? try --port and --metrics-port)");
            return ExitCodes.FAILED;
        }
        rackctl.out().println("plan: " + plan);
        running.describe(rackctl.out());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            rackctl.out().println("stopping the dev homelab");
            running.close();
            stopped.countDown();
        }, "rackpilot-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }

    private Path locatePlan()
    {
        if (planFile != null) {
            if (!Files.isReadable(planFile)) {
                throw new IllegalArgumentException("--plan: " + planFile + " does not exist or is unreadable");
            }
            return planFile;
        }
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("docs/examples/homelab.yaml"));
        String home = rackctl.environment().get("RACKPILOT_HOME");
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "docs/examples/homelab.yaml"));
        }
        candidates.add(Path.of("/usr/share/doc/rackpilot/examples/homelab.yaml"));
        for (Path candidate : candidates) {
            if (Files.isReadable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no plan given and none found at " + candidates + "; pass --plan FILE");
    }
}
