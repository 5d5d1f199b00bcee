#pragma once

#include <cstddef>
#include <cstdint>

// Fuzz bodies shared by the libFuzzer binaries (-DESH_FUZZ=ON, clang) and the seeded
// random-input test that runs in every CTest run. Each aborts (Q_ASSERT_X is not enough:
// release builds) when an invariant breaks.
namespace FuzzTargets {
// Arbitrary bytes through the parser, whole and split, must give the same events; every
// event's data re-encoded and re-parsed must come back unchanged.
void sseParser(const uint8_t *data, size_t size);
// Arbitrary bytes as a push body: never crashes; an accepted event encodes to a frame whose
// parse gives exactly one event with the same name and data. Returns whether it was accepted.
bool pushRequest(const uint8_t *data, size_t size);
} // namespace FuzzTargets
