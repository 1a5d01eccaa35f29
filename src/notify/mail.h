#pragma once

// Outgoing e-mail for expiry notices: the message format (RFC 5322, plain UTF-8 text) and the
// transports: SMTP through libcurl, or a logger when no SMTP server is configured (the
// reference product's "dummy sender").
//
// Thread-safety: FormatMessage is pure. SmtpMailer and LogMailer hold only immutable settings;
// Send may be called from several threads at once (each call uses its own curl handle).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace broker::notify {

struct MailMessage {
  std::string from;        // bare address of the sender
  std::string to;          // bare address of the recipient
  std::string to_name;     // display name, may be empty or non-ASCII
  std::string subject;     // one line; CR and LF are replaced by spaces when formatted
  std::string body;        // plain text, lines separated by '\n'
  std::string message_id;  // inside the <>, e.g. "3f2a...@broker"; the same for retries
};

// True for a bare address with one '@', a non-empty local part and domain, and no spaces,
// angle brackets, quotes or control characters (what Broker can safely put in an SMTP envelope
// and a header without quoting).
bool IsPlainAddress(std::string_view address);

// The whole message as sent: headers (Date, From, To, Subject, Message-ID, MIME-Version,
// Content-Type text/plain UTF-8, 8bit), a blank line and the body, every line ending in CRLF.
// Non-ASCII subjects and names are RFC 2047 encoded.
std::string FormatMessage(const MailMessage& message, UnixMillis date);

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Hands `message` to the transport. InvalidArgument for an address that is not plain;
  // Unavailable when the server cannot be reached or refuses the message (the public message
  // says why, e.g. "SMTP server answered 550"), so the caller retries later.
  virtual Status Send(const MailMessage& message) = 0;
  // "smtp" or "log", for the notice state and /v1/health.
  virtual std::string_view kind() const = 0;
};

struct SmtpOptions {
  std::string host;  // NOTIFICATION_EMAIL_HOST
  uint16_t port = 25;
  // NOTIFICATION_EMAIL_SECURE: true = implicit TLS (smtps://, usually port 465). False = plain
  // SMTP that upgrades with STARTTLS when the server offers it.
  bool secure = false;
  int64_t connect_timeout_seconds = 10;
  int64_t timeout_seconds = 30;
};

// SMTP via libcurl. No authentication (a relay that trusts Broker's address).
class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(SmtpOptions options);
  Status Send(const MailMessage& message) override;
  std::string_view kind() const override { return "smtp"; }

 private:
  SmtpOptions options_;
};

// Logs the recipient and subject (never the body) at info level and reports success.
class LogMailer final : public Mailer {
 public:
  Status Send(const MailMessage& message) override;
  std::string_view kind() const override { return "log"; }
};

}  // namespace broker::notify
