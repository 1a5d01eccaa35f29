#pragma once

// The one error vocabulary of Broker.
//
// Expected failures travel as values: a function that can fail returns `Status` (no value) or
// `Result<T>`. Every `Error` carries a code from a small canonical set, a public message that
// may be shown to the caller, and an internal message that is only logged. `http/` maps codes
// to HTTP statuses in one place (`HttpStatusFor`). Exceptions are reserved for programmer bugs
// and start-up failures.

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace broker {

enum class ErrorCode {
  kInvalidArgument,     // the caller sent something malformed or out of range (400)
  kUnauthenticated,     // no credential, or a bad, expired or unknown one (401)
  kPermissionDenied,    // authenticated, but not allowed (403)
  kNotFound,            // the named thing does not exist (404)
  kAlreadyExists,       // a unique name or id is taken (409)
  kAborted,             // lost a race: retry with fresh state (409)
  kFailedPrecondition,  // the system is not in a state that allows this (409)
  kPayloadTooLarge,     // the request body or a field exceeds a limit (413)
  kResourceExhausted,   // rate limited or a queue is full (429)
  kUnavailable,         // a dependency (database, Vault, GitHub) is down; retry later (503)
  kInternal,            // a bug or an unexpected fault (500)
};

// The HTTP status that `code` maps to. The only place this mapping lives.
int HttpStatusFor(ErrorCode code);

// The canonical name of `code`, e.g. "InvalidArgument", for logs and tests.
std::string_view ErrorCodeName(ErrorCode code);

class Error {
 public:
  // `public_message` may be returned to the client; `internal_message` (optional) is only
  // logged. Neither may contain a secret.
  Error(ErrorCode code, std::string public_message, std::string internal_message = {})
      : code_(code),
        public_message_(std::move(public_message)),
        internal_message_(std::move(internal_message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return public_message_; }
  const std::string& internal_message() const { return internal_message_; }

  // The short label of the JSON error envelope's "error" member. Defaults to the HTTP reason
  // phrase of the code's status ("Bad Request"); some contracts name a specific one
  // ("Block list has match").
  const std::optional<std::string>& label() const { return label_; }
  Error&& WithLabel(std::string label) && {
    label_ = std::move(label);
    return std::move(*this);
  }

  // Prefixes the internal message with context, for errors passed up through layers.
  Error&& WithContext(std::string_view context) && {
    internal_message_ = std::string(context) + ": " +
                        (internal_message_.empty() ? public_message_ : internal_message_);
    return std::move(*this);
  }

  // "Code: public (internal)" for logs. Never contains a secret if the messages don't.
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string public_message_;
  std::string internal_message_;
  std::optional<std::string> label_;
};

// Shorthands for the common codes.
Error InvalidArgument(std::string message, std::string internal = {});
Error Unauthenticated(std::string message = "Unauthorized", std::string internal = {});
Error PermissionDenied(std::string message, std::string internal = {});
Error NotFound(std::string message, std::string internal = {});
Error AlreadyExists(std::string message, std::string internal = {});
Error Aborted(std::string message, std::string internal = {});
Error FailedPrecondition(std::string message, std::string internal = {});
Error Unavailable(std::string message, std::string internal = {});
Error Internal(std::string internal);  // public message is always "Internal server error"

// A value of type T, or an Error. Accessing the value of a failed Result is a bug (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<Error>(state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<Error>(std::move(state_));
  }

  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

// Success or an Error, with no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status OkStatus() { return {}; }

}  // namespace broker

#define BROKER_CONCAT_INNER_(a, b) a##b
#define BROKER_CONCAT_(a, b) BROKER_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Status or Result) from the enclosing function, if any.
#define BROKER_RETURN_IF_ERROR(expr)                                    \
  do {                                                                  \
    auto&& broker_status_ = (expr);                                     \
    if (!broker_status_.ok()) return std::move(broker_status_).error(); \
  } while (false)

// Declares or assigns `lhs` from the value of `expr` (a Result), or returns its error.
#define BROKER_ASSIGN_OR_RETURN(lhs, expr) \
  BROKER_ASSIGN_OR_RETURN_IMPL_(BROKER_CONCAT_(broker_result_, __LINE__), lhs, expr)
// `lhs` may be a declaration ("const int x") and `tmp` names a variable, so neither can be
// parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define BROKER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).error();       \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
