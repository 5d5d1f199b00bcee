#include "fuzztargets.h"

// The libFuzzer entry of every fuzz_<name> binary: CMake compiles this file once per target,
// with ESH_FUZZ_TARGET naming its function.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzTargets::ESH_FUZZ_TARGET(data, size);
    return 0;
}
