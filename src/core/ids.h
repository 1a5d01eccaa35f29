#pragma once

// Identifiers of stored objects. Like the reference product (MongoDB ObjectIds), every vertex,
// edge, collection object and registry row is named by 24 lower-case hex digits: 4 bytes of
// seconds since the epoch followed by 8 random bytes, so ids sort roughly by creation time.

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"

namespace broker {

// A new id. Thread-safe if `random` is.
std::string NewObjectId(const Clock& clock, Random& random);

// True if `id` is exactly 24 hex digits (either case, as MongoDB accepts).
bool IsObjectId(std::string_view id);

// True if `text` is a UUID in canonical 8-4-4-4-12 hex form (either case).
bool IsUuid(std::string_view text);

}  // namespace broker
