package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Run in a fresh JVM by {@link TestNvmlGpuSource}: reads the GPUs of the library named by the
 * first argument, with this process's environment, and prints what it found and how much the
 * resident memory grew by loading NVML through JNA.
 */
public final class FakeNvmlProbe
{
    private FakeNvmlProbe() {}

    public static void main(String[] arguments)
            throws IOException
    {
        // the protocol classes are loaded first: only NVML and JNA are measured
        Gpus.getDefaultInstance();
        NvmlStatus.getDefaultInstance();
        long before = residentKibibytes();
        NvmlLoadResult result = new NvmlLoader(Optional.of(Path.of(arguments[0])), System.getenv()).load();
        long loaded = residentKibibytes();
        NvmlClient client = new NvmlClient(((NvmlLoadResult.Loaded) result).nvml());
        Gpus gpus = client.poll();
        long polled = residentKibibytes();
        System.out.println("state=" + gpus.getNvml().getState());
        System.out.println("names=" + gpus.getItemsList().stream().map(Gpu::getName).toList());
        System.out.println("rss-growth-kib=" + (loaded - before) + " after loading, " + (polled - before) + " after the first poll");
        client.close();
    }

    private static long residentKibibytes()
            throws IOException
    {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
