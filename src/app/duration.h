#pragma once

// Durations on the command line: "3600", "3600s", "90m", "12h", "90d", "1y" (365 days).

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace broker::app {

// Seconds in `text`. InvalidArgument for anything else, or for a value that overflows.
Result<int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace broker::app
