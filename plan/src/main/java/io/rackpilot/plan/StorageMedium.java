package io.rackpilot.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a disk is made of, written in lower case in the plan.
 */
public enum StorageMedium
{
    @JsonProperty("ssd")
    SSD,
    @JsonProperty("hdd")
    HDD,
    @JsonProperty("nvme")
    NVME,
}
