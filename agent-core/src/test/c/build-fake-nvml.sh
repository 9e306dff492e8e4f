#!/bin/sh
# Builds the fake NVML libraries for the tests (run by Maven before test-compile):
#   TARGET/fake-nvml/libnvidia-ml.so.1       a current driver
#   TARGET/fake-nvml-old/libnvidia-ml.so.1   an old driver without some optional functions
#   TARGET/fake-nvml-r535/libnvidia-ml.so.1  an R535 driver (32-byte process entries in _v3)
# Without gcc it builds nothing and says so: the tests that need the fake then skip, or fail when
# RACKPILOT_REQUIRE_SYSTEM_TESTS=1.
set -eu
source_directory=$(dirname "$0")
target=$1
if ! command -v gcc >/dev/null 2>&1; then
    echo "[fake-nvml] gcc not found: the fake NVML library is not built; its tests will skip" >&2
    exit 0
fi
build() {
    mkdir -p "$target/$1"
    # No -soname: a library named libnvidia-ml.so.1 must never satisfy dlopen("libnvidia-ml.so.1").
    gcc -shared -fPIC -O2 -std=c11 -Wall -Wextra -Werror -fvisibility=hidden -pthread $2 \
        -o "$target/$1/libnvidia-ml.so.1" "$source_directory/fake_nvml.c" -ldl
}
build fake-nvml ""
build fake-nvml-old "-DFAKE_NVML_OLD_DRIVER"
build fake-nvml-r535 "-DFAKE_NVML_R535"
