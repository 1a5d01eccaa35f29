#include "notify/mail.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <mutex>

#include "core/encoding.h"

namespace broker::notify {
namespace {

bool IsPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string OneLine(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n' || c == '\t'; }, ' ');
  return out;
}

// RFC 2047 "encoded-word" for header text that is not plain ASCII.
std::string EncodedWord(std::string_view text) { return "=?UTF-8?B?" + Base64Encode(text) + "?="; }

std::string SubjectHeader(std::string_view subject) {
  const std::string line = OneLine(subject);
  return IsPrintableAscii(line) ? line : EncodedWord(line);
}

std::string AddressHeader(std::string_view name, std::string_view address) {
  const std::string display = OneLine(name);
  if (display.empty()) return std::string(address);
  if (!IsPrintableAscii(display)) return EncodedWord(display) + " <" + std::string(address) + ">";
  std::string quoted = "\"";
  for (char c : display) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\" <" + std::string(address) + ">";
}

std::string DateHeader(UnixMillis date) {
  const auto seconds = static_cast<std::time_t>(date / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

// The body with CRLF line ends (a lone CR or LF becomes CRLF).
std::string CrlfBody(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 40);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') continue;
    if (body[i] == '\r' || body[i] == '\n') {
      out += "\r\n";
    } else {
      out += body[i];
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::copy_n(upload->data.data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

bool IsPlainAddress(std::string_view address) {
  const size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  return std::none_of(address.begin(), address.end(), [](char c) {
    return c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
           c == '(' || c == ')' || c == '\\';
  });
}

std::string FormatMessage(const MailMessage& message, UnixMillis date) {
  std::string out;
  out += "Date: " + DateHeader(date) + "\r\n";
  out += "From: " + message.from + "\r\n";
  out += "To: " + AddressHeader(message.to_name, message.to) + "\r\n";
  out += "Subject: " + SubjectHeader(message.subject) + "\r\n";
  out += "Message-ID: <" + OneLine(message.message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  out += CrlfBody(message.body);
  return out;
}

SmtpMailer::SmtpMailer(SmtpOptions options) : options_(std::move(options)) { InitCurlOnce(); }

Status SmtpMailer::Send(const MailMessage& message) {
  if (!IsPlainAddress(message.to) || !IsPlainAddress(message.from)) {
    return InvalidArgument("Not a plain e-mail address: " + OneLine(message.to));
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Unavailable("Could not start an SMTP client");
  const std::string url = std::string(options_.secure ? "smtps://" : "smtp://") + options_.host +
                          ":" + std::to_string(options_.port);
  const std::string from = "<" + message.from + ">";
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(
      curl_slist_append(nullptr, ("<" + message.to + ">").c_str()));
  const std::string text = FormatMessage(message, SystemClock::Instance().NowMillis());
  Upload upload{text, 0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_USE_SSL, options_.secure ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout_seconds));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout_seconds));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return OkStatus();
  long smtp_code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &smtp_code);
  std::string reason = smtp_code > 0 ? "SMTP server answered " + std::to_string(smtp_code)
                                     : std::string(curl_easy_strerror(code));
  return Unavailable("Could not send the e-mail: " + reason);
}

Status LogMailer::Send(const MailMessage& message) {
  spdlog::info("SMTP not configured; expiry notice to {} not e-mailed: {}", message.to,
               OneLine(message.subject));
  return OkStatus();
}

}  // namespace broker::notify
