#include "core/status.h"

namespace broker {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kAborted:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kUnauthenticated:
      return "Unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "PermissionDenied";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kAlreadyExists:
      return "AlreadyExists";
    case ErrorCode::kAborted:
      return "Aborted";
    case ErrorCode::kFailedPrecondition:
      return "FailedPrecondition";
    case ErrorCode::kPayloadTooLarge:
      return "PayloadTooLarge";
    case ErrorCode::kResourceExhausted:
      return "ResourceExhausted";
    case ErrorCode::kUnavailable:
      return "Unavailable";
    case ErrorCode::kInternal:
      return "Internal";
  }
  return "Internal";
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code_));
  out += ": ";
  out += public_message_;
  if (!internal_message_.empty()) {
    out += " (";
    out += internal_message_;
    out += ")";
  }
  return out;
}

Error InvalidArgument(std::string message, std::string internal) {
  return {ErrorCode::kInvalidArgument, std::move(message), std::move(internal)};
}
Error Unauthenticated(std::string message, std::string internal) {
  return {ErrorCode::kUnauthenticated, std::move(message), std::move(internal)};
}
Error PermissionDenied(std::string message, std::string internal) {
  return {ErrorCode::kPermissionDenied, std::move(message), std::move(internal)};
}
Error NotFound(std::string message, std::string internal) {
  return {ErrorCode::kNotFound, std::move(message), std::move(internal)};
}
Error AlreadyExists(std::string message, std::string internal) {
  return {ErrorCode::kAlreadyExists, std::move(message), std::move(internal)};
}
Error Aborted(std::string message, std::string internal) {
  return {ErrorCode::kAborted, std::move(message), std::move(internal)};
}
Error FailedPrecondition(std::string message, std::string internal) {
  return {ErrorCode::kFailedPrecondition, std::move(message), std::move(internal)};
}
Error Unavailable(std::string message, std::string internal) {
  return {ErrorCode::kUnavailable, std::move(message), std::move(internal)};
}
Error Internal(std::string internal) {
  return {ErrorCode::kInternal, "Internal server error", std::move(internal)};
}

}  // namespace broker
