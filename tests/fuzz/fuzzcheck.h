#pragma once

#include <QByteArray>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <optional>

// What every fuzz target body shares.
namespace FuzzTargets {
// Aborts when an invariant breaks: Q_ASSERT_X is not enough, as release builds drop it and
// libFuzzer needs a crash to keep the input.
void check(bool condition, const char *what);
// The input's bytes, as one QByteArray (a deep copy: a target may keep it past the call).
QByteArray bytes(const uint8_t *data, size_t size);
// The input parsed as JSON, when it is an object.
std::optional<QJsonObject> jsonObject(const QByteArray &json);
std::optional<QJsonObject> jsonObject(const uint8_t *data, size_t size);
} // namespace FuzzTargets
