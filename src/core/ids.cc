#include "core/ids.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "core/encoding.h"

namespace broker {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string NewObjectId(const Clock& clock, Random& random) {
  std::array<uint8_t, 12> bytes{};
  const auto seconds = static_cast<uint32_t>(clock.NowSeconds());
  bytes[0] = static_cast<uint8_t>(seconds >> 24);
  bytes[1] = static_cast<uint8_t>(seconds >> 16);
  bytes[2] = static_cast<uint8_t>(seconds >> 8);
  bytes[3] = static_cast<uint8_t>(seconds);
  random.Fill(std::span<uint8_t>(bytes).subspan(4));
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool IsObjectId(std::string_view id) { return id.size() == 24 && std::ranges::all_of(id, IsHex); }

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

}  // namespace broker
