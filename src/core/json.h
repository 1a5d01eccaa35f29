#pragma once

// Strict JSON parsing for everything that comes from outside: request bodies, JWT headers and
// payloads, import files. nlohmann/json is RFC 8259 compliant but silently keeps the last of
// duplicate member names; here a duplicate (compared after unescaping) is an error, and so is
// nesting deeper than `max_depth`.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/status.h"

namespace broker {

using Json = nlohmann::json;

struct JsonLimits {
  size_t max_depth = 32;
};

// Parses `text` as exactly one JSON value with nothing but whitespace after it. Errors are
// InvalidArgument with a public message that names the problem and never echoes the input.
Result<Json> ParseStrictJson(std::string_view text, JsonLimits limits = {});

}  // namespace broker
