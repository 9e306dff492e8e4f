package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;

import java.util.OptionalInt;

final class Vlans
{
    static final int MINIMUM = 1;
    static final int MAXIMUM = 4094;

    private Vlans() {}

    static void check(OptionalInt vlan, String key)
    {
        if (vlan.isPresent() && (vlan.getAsInt() < MINIMUM || vlan.getAsInt() > MAXIMUM)) {
            throw new ConfigValueException(key, "a VLAN tag must be between " + MINIMUM + " and " + MAXIMUM + ", got " + vlan.getAsInt());
        }
    }
}
