#pragma once
// Strict validation of the JSON bodies that automation sends to the intention endpoints
// (reference section 6.1 and 6.7): unknown members are refused, required members must be
// present with the right type, enumerations must hold one of their values. The first problem
// found is reported as
//   InvalidArgument, message "<What> validation error", label
//   "Property .<path> has failed the following constraints: <names>"
// so that http::Response::FromError renders the reference's 400 body.
//
// Thread-safety: pure functions.
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace broker::intentions {

// The action names an intention may declare.
const std::vector<std::string>& ActionNames();

// The provision capabilities `action` may ask for (empty for most actions).
const std::vector<std::string>& AllowedProvisions(const std::string& action);

// Validates an intention body (message "Intention validation error").
Status ValidateIntentionBody(const Json& body);

// Validates an action patch body: {package?} or {cloud?} (message "Patch validation error").
Status ValidatePatchBody(const Json& body);

// Validates an artifact body {checksum?, name, size?, type?}; `checksum` is "<algo>:<hex>"
// (message "Artifact validation error").
Status ValidateArtifactBody(const Json& body);

}  // namespace broker::intentions
