#include "store/database.h"

#include <charconv>
#include <system_error>

#include "store/postgres_database.h"
#include "store/sqlite_database.h"

namespace broker::store {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";

std::string DoubleToText(double d) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  if (ec != std::errc()) return "0";
  return {buffer, end};
}

}  // namespace

Value NullableText(const std::optional<std::string>& text) {
  if (!text) return std::monostate{};
  return *text;
}

Value NullableInt(const std::optional<int64_t>& n) {
  if (!n) return std::monostate{};
  return *n;
}

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return DoubleToText(*d);
  return "";
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

Status Session::ExecuteScript(std::string_view) {
  return Internal("ExecuteScript is not implemented by this Session");
}

Status Database::Notify(std::string_view, std::string_view) {
  return Internal("Notify is not implemented by this Database");
}

// The parameters are by value because real listeners keep both; this default keeps neither.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
Status Database::Listen(std::string, std::function<void(std::string)>) {
  return Internal("Listen is not implemented by this Database");
}

std::optional<uint64_t> Database::ChangeVersion() { return std::nullopt; }

Result<std::unique_ptr<Database>> Open(std::string_view url, const OpenOptions& options) {
  if (url.starts_with(kSqlitePrefix)) {
    return OpenSqlite(std::string(url.substr(kSqlitePrefix.size())), options);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return OpenPostgres(std::string(url), options);
  }
  // The URL itself is not echoed: it may carry a password.
  return InvalidArgument("Unsupported database URL: expected sqlite: or postgresql://");
}

std::string_view ForUpdate(Dialect dialect) {
  return dialect == Dialect::kPostgres ? " FOR UPDATE" : "";
}

}  // namespace broker::store
