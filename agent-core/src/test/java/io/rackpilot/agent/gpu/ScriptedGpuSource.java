package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.Gpus;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written {@link GpuSource}: answers what it is told, can block (a hung NVML call) or throw,
 * and records the threads and times of its polls.
 */
final class ScriptedGpuSource
        implements GpuSource
{
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicInteger finishedPolls = new AtomicInteger();
    private final List<String> pollThreads = new CopyOnWriteArrayList<>();
    private final List<Long> pollStarts = new CopyOnWriteArrayList<>();
    private volatile Gpus answer = Gpus.getDefaultInstance();
    private volatile CountDownLatch gate;
    private volatile RuntimeException failure;
    private volatile String closingThread;

    void answer(Gpus gpus)
    {
        this.answer = gpus;
    }

    /** The polls from now on block until {@link #release()}. */
    void hang()
    {
        gate = new CountDownLatch(1);
    }

    void release()
    {
        CountDownLatch current = gate;
        gate = null;
        if (current != null) {
            current.countDown();
        }
    }

    void fail(RuntimeException failure)
    {
        this.failure = failure;
    }

    @Override
    public Gpus poll()
    {
        pollStarts.add(System.nanoTime());
        pollThreads.add(Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? " (daemon)" : ""));
        polls.incrementAndGet();
        try {
            CountDownLatch current = gate;
            if (current != null) {
                try {
                    if (!current.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("the hung poll was never released");
                    }
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("the GPU thread was interrupted", e);
                }
            }
            RuntimeException currentFailure = failure;
            if (currentFailure != null) {
                throw currentFailure;
            }
            return answer;
        }
        finally {
            finishedPolls.incrementAndGet();
        }
    }

    @Override
    public void close()
    {
        closingThread = Thread.currentThread().getName();
    }

    int polls()
    {
        return polls.get();
    }

    int finishedPolls()
    {
        return finishedPolls.get();
    }

    List<String> pollThreads()
    {
        return List.copyOf(pollThreads);
    }

    long lastPollStart()
    {
        return pollStarts.get(pollStarts.size() - 1);
    }

    String closingThread()
    {
        return closingThread;
    }
}
