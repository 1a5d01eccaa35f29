#pragma once

// Wall-clock formatting for APIs and logs: ISO 8601 in UTC with millisecond precision
// ("2026-12-03T13:53:22.000Z"), as the reference product's JSON dates look.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace broker {

std::string FormatIso8601(UnixMillis millis);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z". Returns nullopt for anything else.
std::optional<UnixMillis> ParseIso8601(std::string_view text);

}  // namespace broker
