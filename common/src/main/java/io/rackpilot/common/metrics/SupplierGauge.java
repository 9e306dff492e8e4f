package io.rackpilot.common.metrics;

import com.codahale.metrics.Gauge;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A Dropwizard gauge reading a supplier that can be replaced when the same series is registered again.
 */
final class SupplierGauge
        implements Gauge<Number>
{
    private final AtomicReference<Supplier<? extends Number>> supplier;

    SupplierGauge(Supplier<? extends Number> supplier)
    {
        this.supplier = new AtomicReference<>(requireNonNull(supplier, "supplier is null"));
    }

    void replace(Supplier<? extends Number> newSupplier)
    {
        supplier.set(requireNonNull(newSupplier, "newSupplier is null"));
    }

    @Override
    public Number getValue()
    {
        Number value = supplier.get().get();
        if (value == null) {
            throw new IllegalStateException("the gauge's supplier returned null");
        }
        return value;
    }
}
