package io.rackpilot.common.metrics;

import com.codahale.metrics.Counter;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * A Dropwizard counter whose count is kept elsewhere and read at every scrape (energy that NVML
 * counts since the driver loaded, ECC errors). It cannot be incremented.
 */
final class SupplierCounter
        extends Counter
{
    private final AtomicReference<LongSupplier> supplier;

    SupplierCounter(LongSupplier supplier)
    {
        this.supplier = new AtomicReference<>(requireNonNull(supplier, "supplier is null"));
    }

    void replace(LongSupplier newSupplier)
    {
        supplier.set(requireNonNull(newSupplier, "newSupplier is null"));
    }

    @Override
    public long getCount()
    {
        return supplier.get().getAsLong();
    }

    @Override
    public void inc(long n)
    {
        throw new UnsupportedOperationException("a counter read from a supplier cannot be incremented");
    }

    @Override
    public void dec(long n)
    {
        throw new UnsupportedOperationException("a counter read from a supplier cannot be decremented");
    }
}
