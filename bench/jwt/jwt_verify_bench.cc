// Cost of Sign and Verify per algorithm, and of refusing a malformed token (the cheap path
// every attack should take).

#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/random.h"
#include "jwt/jwt.h"

namespace broker::jwt {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr char kSecret[] = "q7Zt1cV4pL9sXw2mN8bR5yK3hF6gD0aJ";

Claims BenchClaims() {
  return Claims{"33098695-4a5a-497c-a36a-61691785845c",
                kNow + 3600,
                kNow,
                kNow,
                OsRandom::Instance().Uuid4(),
                "localhost@example.com"};
}

std::shared_ptr<const KeySet> HsKeys() {
  static auto keys = KeySet::FromConfig(std::nullopt, SecretString(kSecret)).value();
  return keys;
}

std::shared_ptr<const KeySet> RsKeys() {
  static auto keys = [] {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("jwt-bench-" + OsRandom::Instance().Base64UrlToken(6));
    std::filesystem::create_directories(dir);
    auto created = KeySet::LoadOrCreateInDataDir(dir.string()).value();
    std::filesystem::remove_all(dir);
    return created;
  }();
  return keys;
}

void BM_Verify(benchmark::State& state, const KeySet& keys) {
  const std::string token = keys.Sign(BenchClaims()).value().RevealForUse();
  for (auto _ : state) {
    benchmark::DoNotOptimize(keys.VerifyDetailed(token, kNow, VerifyOptions{}, nullptr));
  }
}

void BM_Sign(benchmark::State& state, const KeySet& keys) {
  const Claims claims = BenchClaims();
  for (auto _ : state) benchmark::DoNotOptimize(keys.Sign(claims));
}

void BM_VerifyHs256(benchmark::State& state) { BM_Verify(state, *HsKeys()); }
void BM_VerifyRs256(benchmark::State& state) { BM_Verify(state, *RsKeys()); }
void BM_SignHs256(benchmark::State& state) { BM_Sign(state, *HsKeys()); }
void BM_SignRs256(benchmark::State& state) { BM_Sign(state, *RsKeys()); }

void BM_RejectMalformed(benchmark::State& state) {
  const std::string token(900, '.');
  for (auto _ : state) {
    benchmark::DoNotOptimize(HsKeys()->VerifyDetailed(token, kNow, VerifyOptions{}, nullptr));
  }
}

BENCHMARK(BM_VerifyHs256);
BENCHMARK(BM_VerifyRs256);
BENCHMARK(BM_SignHs256);
BENCHMARK(BM_SignRs256);
BENCHMARK(BM_RejectMalformed);

}  // namespace
}  // namespace broker::jwt
