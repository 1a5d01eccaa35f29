// The attack-token catalogue of SECURITY.md 1.2 (rows 1-106, 118 and the size rows 127-129),
// one named case per token, each built in C++ from the templates V_HS / V_RS at T0. Rows marked
// "re-signed" there are signed with the real key here, so only the rule under test can refuse
// them; the expected Rejection pins which rule that is. Expected: 0 accepted.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cctype>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/encoding.h"
#include "jwt/jwt_test_util.h"

namespace broker::jwt::testing {
namespace {

using R = Rejection;

struct Case {
  Case(std::string n, std::string t, Rejection e, std::shared_ptr<const KeySet> k = nullptr)
      : name(std::move(n)), token(std::move(t)), expected(e), keys(std::move(k)) {}
  std::string name;
  std::string token;
  Rejection expected;
  std::shared_ptr<const KeySet> keys;  // null: Keys().keys
};

const internal::Key& Hs() { return *Keys().hs_key; }
const internal::Key& Rs() { return *Keys().rs_key; }

std::string HmacToken(std::string_view key, std::string_view header, std::string_view payload) {
  return Token(header, payload, *internal::Key::Hmac(std::string(key), std::nullopt));
}

// A token whose signature comes from `sign` over the signing input.
template <typename SignFn>
std::string Custom(std::string_view header, std::string_view payload, SignFn sign) {
  const std::string input = B64(header) + "." + B64(payload);
  return input + "." + B64(sign(input));
}

std::string Sig(const std::string& token) { return token.substr(token.rfind('.') + 1); }
std::string Body(const std::string& token) { return token.substr(0, token.rfind('.')); }

std::string WithSig(const std::string& token, std::string_view raw_signature) {
  return Body(token) + "." + B64(raw_signature);
}

std::string RawSig(const std::string& token) { return *Base64UrlDecode(Sig(token)); }

std::string RsHeaderWith(const std::string& extra) {
  return R"({"alg":"RS256","typ":"JWT","kid":"k1",)" + extra + "}";
}

void AddAlgorithmRows(std::vector<Case>& c) {
  const std::string p = Payload();
  const std::string v_hs = ValidHs();
  c.emplace_back("01_alg_none_empty_signature",
                 B64(R"({"alg":"none","typ":"JWT"})") + "." + B64(p) + ".", R::kMalformed);
  c.emplace_back("02_alg_none_original_signature",
                 B64(R"({"alg":"none","typ":"JWT"})") + "." + B64(p) + "." + Sig(v_hs),
                 R::kBadHeader);
  for (const char* none : {"None", "NONE", "nOnE", "noNE"}) {
    c.emplace_back(std::string("03_alg_") + none,
                   Token(std::string(R"({"alg":")") + none + R"(","typ":"JWT"})", p, Hs()),
                   R::kBadHeader);
  }
  const std::vector<std::pair<std::string, std::string>> odd = {
      {"empty", R"("")"}, {"null", "null"}, {"number", "123"}, {"array", R"(["HS256"])"}};
  for (const auto& [name, raw] : odd) {
    c.emplace_back("04_alg_" + name, Token(R"({"alg":)" + raw + R"(,"typ":"JWT"})", p, Hs()),
                   R::kBadHeader);
  }
  const std::vector<std::pair<std::string, std::string>> near = {
      {"trailing_space", "HS256 "}, {"lower_case", "hs256"}, {"nul_suffix", "HS256\\u0000"}};
  for (const auto& [name, alg] : near) {
    c.emplace_back("05_alg_" + name, Token(R"({"alg":")" + alg + R"(","typ":"JWT"})", p, Hs()),
                   R::kBadHeader);
  }
  auto alg_header = [](const char* alg, bool kid) {
    return std::string(R"({"alg":")") + alg + R"(","typ":"JWT")" + (kid ? R"(,"kid":"k1"})" : "}");
  };
  c.emplace_back("06_alg_HS384",
                 Custom(alg_header("HS384", false), p,
                        [](const std::string& in) { return HmacRaw(EVP_sha384(), kHsSecret, in); }),
                 R::kBadHeader);
  c.emplace_back("06_alg_HS512",
                 Custom(alg_header("HS512", false), p,
                        [](const std::string& in) { return HmacRaw(EVP_sha512(), kHsSecret, in); }),
                 R::kBadHeader);
  c.emplace_back(
      "06_alg_RS512",
      Custom(alg_header("RS512", true), p,
             [](const std::string& in) { return SignRaw(Keys().rsa, EVP_sha512(), false, in); }),
      R::kBadHeader);
  c.emplace_back(
      "06_alg_PS256",
      Custom(alg_header("PS256", true), p,
             [](const std::string& in) { return SignRaw(Keys().rsa, EVP_sha256(), true, in); }),
      R::kBadHeader);
  c.emplace_back(
      "06_alg_ES256",
      Custom(alg_header("ES256", true), p,
             [](const std::string& in) { return SignRaw(Keys().ec, EVP_sha256(), false, in); }),
      R::kBadHeader);
  c.emplace_back(
      "06_alg_EdDSA",
      Custom(alg_header("EdDSA", true), p,
             [](const std::string& in) { return SignRaw(Keys().ed, nullptr, false, in); }),
      R::kBadHeader);
  const std::string v_rs = ValidRs();
  c.emplace_back("07_rs_token_relabelled_hs256_with_kid",
                 B64(alg_header("HS256", true)) + "." + B64(p) + "." + Sig(v_rs), R::kBadHeader);
  c.emplace_back("07_rs_token_relabelled_hs256_without_kid",
                 B64(alg_header("HS256", false)) + "." + B64(p) + "." + Sig(v_rs),
                 R::kBadSignature);
  c.emplace_back("08_alg_missing", Token(R"({"typ":"JWT"})", p, Hs()), R::kBadHeader);
}

void AddKeyConfusionRows(std::vector<Case>& c) {
  const std::string p = Payload();
  const std::string spki = RsaPublicPem(false);
  std::string no_newline = spki;
  while (!no_newline.empty() && no_newline.back() == '\n') no_newline.pop_back();
  std::string crlf;
  for (char ch : spki) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  const Json jwk = Rs().PublicJwk();
  const std::vector<std::pair<std::string, std::string>> secrets = {
      {"09_pem_spki", spki},
      {"10_pem_spki_no_newline", no_newline},
      {"11_pem_spki_crlf", crlf},
      {"12_pem_spki_leading_whitespace", "  \n" + spki},
      {"13_pem_pkcs1", RsaPublicPem(true)},
      {"14_der_spki", RsaPublicDer(false)},
      {"15_der_pkcs1", RsaPublicDer(true)},
      {"16_jwk_json", jwk.dump()},
  };
  for (const auto& [name, secret] : secrets) {
    c.emplace_back(name, HmacToken(secret, kHsHeader, p), R::kBadSignature);
    c.emplace_back("19_" + name + "_with_rsa_kid",
                   HmacToken(secret, R"({"alg":"HS256","typ":"JWT","kid":"k1"})", p),
                   R::kBadHeader);
  }
  c.emplace_back("17_whole_jwks", HmacToken(Keys().keys->Jwks().dump(), kHsHeader, p),
                 R::kBadSignature);
  c.emplace_back("18_raw_modulus",
                 HmacToken(*Base64UrlDecode(jwk["n"].get<std::string>()), kHsHeader, p),
                 R::kBadSignature);
  // Row 20 needs an HS key that has a kid: a migration key set with an oct JWK "hs1".
  const std::string jwks =
      R"({"keys":[{"kty":"oct","kid":"hs1","k":")" + B64(kHsSecret) + R"("}]})";
  auto mixed = KeySet::FromConfig(SecretString(jwks), std::nullopt).value();
  c.emplace_back("20_rs256_with_kid_of_hs_key",
                 Token(R"({"alg":"RS256","typ":"JWT","kid":"hs1"})", p, Rs()), R::kBadHeader,
                 mixed);
}

void AddKidRows(std::vector<Case>& c) {
  const std::string p = Payload();
  auto rs_kid = [&p](const std::string& raw_kid) {
    return Token(R"({"alg":"RS256","typ":"JWT","kid":)" + raw_kid + "}", p, Rs());
  };
  c.emplace_back("21_kid_path_traversal_empty_hmac",
                 HmacToken("", R"({"alg":"HS256","typ":"JWT","kid":"../../../../dev/null"})", p),
                 R::kUnknownKey);
  c.emplace_back("22_kid_dev_null", rs_kid(R"("/dev/null")"), R::kUnknownKey);
  c.emplace_back("23_kid_etc_hostname", rs_kid(R"("../../etc/hostname")"), R::kUnknownKey);
  c.emplace_back("24_kid_sql_or", rs_kid(R"("' OR '1'='1")"), R::kUnknownKey);
  c.emplace_back("25_kid_sql_comment", rs_kid(R"("k1' --")"), R::kUnknownKey);
  c.emplace_back("26_kid_nul", rs_kid(R"("k1\u0000x")"), R::kUnknownKey);
  c.emplace_back("27_kid_case", rs_kid(R"("K1")"), R::kUnknownKey);
  c.emplace_back("28_kid_trailing_space", rs_kid(R"("k1 ")"), R::kUnknownKey);
  c.emplace_back("29_kid_10k", rs_kid("\"" + std::string(10240, 'k') + "\""), R::kTooLarge);
  c.emplace_back("29_kid_300_bytes", rs_kid("\"" + std::string(300, 'k') + "\""), R::kBadHeader);
  c.emplace_back("30_kid_number", rs_kid("123"), R::kBadHeader);
  c.emplace_back("30_kid_null", rs_kid("null"), R::kBadHeader);
  c.emplace_back("30_kid_object", rs_kid("{}"), R::kBadHeader);
  c.emplace_back("30_kid_empty", rs_kid(R"("")"), R::kBadHeader);
  c.emplace_back("31_kid_unknown", rs_kid(R"("k9")"), R::kUnknownKey);
  c.emplace_back("32_rs256_without_kid", Token(R"({"alg":"RS256","typ":"JWT"})", p, Rs()),
                 R::kBadHeader);
  auto rs_only = internal::MakeKeySet({Keys().rs_key}).value();
  c.emplace_back("32_rs256_without_kid_rs_only_set",
                 Token(R"({"alg":"RS256","typ":"JWT"})", p, Rs()), R::kUnknownKey, rs_only);
  c.emplace_back("33_hs256_with_unknown_kid",
                 Token(R"({"alg":"HS256","typ":"JWT","kid":"hs"})", p, Hs()), R::kUnknownKey);
  c.emplace_back("33_hs256_with_rsa_kid",
                 Token(R"({"alg":"HS256","typ":"JWT","kid":"k1"})", p, Hs()), R::kBadHeader);
}

void AddHeaderRows(std::vector<Case>& c) {
  const std::string p = Payload();
  auto attacker = [&p](const std::string& header) {
    return Custom(header, p, [](const std::string& in) {
      return SignRaw(Keys().attacker, EVP_sha256(), false, in);
    });
  };
  auto real = [&p](const std::string& header) { return Token(header, p, Rs()); };
  c.emplace_back("34_jku", attacker(RsHeaderWith(R"("jku":"http://127.0.0.1:9/jwks")")),
                 R::kBadHeader);
  c.emplace_back("34_jku_real_signature", real(RsHeaderWith(R"("jku":"http://127.0.0.1:9/j")")),
                 R::kBadHeader);
  c.emplace_back("35_x5u", attacker(RsHeaderWith(R"("x5u":"http://127.0.0.1:9/cert.pem")")),
                 R::kBadHeader);
  Json attacker_jwk = internal::KeyFromPem(PrivatePem(Keys().attacker), "k1").value()->PublicJwk();
  c.emplace_back("36_embedded_jwk", attacker(RsHeaderWith(R"("jwk":)" + attacker_jwk.dump())),
                 R::kBadHeader);
  c.emplace_back("36_embedded_jwk_real_signature",
                 real(RsHeaderWith(R"("jwk":)" + attacker_jwk.dump())), R::kBadHeader);
  c.emplace_back("37_x5c", attacker(RsHeaderWith(R"("x5c":["MIIBszCCAVmgAwIBAgIUQ"])")),
                 R::kBadHeader);
  c.emplace_back("38_x5t", real(RsHeaderWith(R"("x5t":"dGVzdA")")), R::kBadHeader);
  c.emplace_back("38_x5t_S256", real(RsHeaderWith(R"("x5t#S256":"dGVzdA")")), R::kBadHeader);
  const std::vector<std::pair<std::string, std::string>> crit = {
      {"39_crit_exp", R"("crit":["exp"])"}, {"40_crit_empty", R"("crit":[])"},
      {"41_crit_string", R"("crit":"x")"},  {"42_crit_number_item", R"("crit":[1])"},
      {"43_crit_alg", R"("crit":["alg"])"}, {"44_crit_b64", R"("crit":["b64"],"b64":false)"},
  };
  for (const auto& [name, member] : crit) {
    c.emplace_back(name, real(RsHeaderWith(member)), R::kBadHeader);
  }
  c.emplace_back("44_b64_false_alone", real(RsHeaderWith(R"("b64":false)")), R::kBadHeader);
  c.emplace_back("44_zip", real(RsHeaderWith(R"("zip":"DEF")")), R::kBadHeader);
  c.emplace_back("44_unknown_member", real(RsHeaderWith(R"("foo":"bar")")), R::kBadHeader);
  const std::vector<std::pair<std::string, std::string>> not_objects = {
      {"array", "[]"}, {"string", R"("x")"}, {"null", "null"}, {"number", "1"}};
  for (const auto& [type, header] : not_objects) {
    c.emplace_back("45_header_not_object_" + type, Token(header, p, Hs()), R::kBadJson);
  }
}

void AddSignatureRows(std::vector<Case>& c) {
  const std::string v_hs = ValidHs();
  const std::string v_rs = ValidRs();
  c.emplace_back("46_signature_removed", Body(v_hs), R::kMalformed);
  c.emplace_back("47_signature_empty", Body(v_rs) + ".", R::kMalformed);
  for (const auto& [label, token] : {std::pair{"hs", v_hs}, std::pair{"rs", v_rs}}) {
    const std::string sig = RawSig(token);
    for (size_t i = 0; i < sig.size(); ++i) {
      std::string flipped = sig;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
      c.emplace_back("48_" + std::string(label) + "_bit_flip_byte_" + std::to_string(i),
                     WithSig(token, flipped), R::kBadSignature);
    }
    c.emplace_back("51_" + std::string(label) + "_all_zero_signature",
                   WithSig(token, std::string(sig.size(), '\0')), R::kBadSignature);
  }
  const std::string hs_sig = RawSig(v_hs);
  c.emplace_back("49_hs_signature_31_bytes", WithSig(v_hs, hs_sig.substr(0, 31)), R::kBadSignature);
  c.emplace_back("49_hs_signature_33_bytes", WithSig(v_hs, hs_sig + "x"), R::kBadSignature);
  const std::string rs_sig = RawSig(v_rs);
  c.emplace_back("50_rs_signature_leading_zero", WithSig(v_rs, std::string(1, '\0') + rs_sig),
                 R::kBadSignature);
  c.emplace_back("50_rs_signature_255_bytes", WithSig(v_rs, rs_sig.substr(1)), R::kBadSignature);
  c.emplace_back("50_rs_signature_257_bytes", WithSig(v_rs, rs_sig + "x"), R::kBadSignature);
  c.emplace_back("52_hs_signature_on_rs_token", Body(v_rs) + "." + Sig(v_hs), R::kBadSignature);
  c.emplace_back("52_rs_signature_on_hs_token", Body(v_hs) + "." + Sig(v_rs), R::kBadSignature);
  const std::string other = Payload(
      {{"client_id", R"("bbbbbbbb-4a5a-497c-a36a-61691785845c")"}, {"sub", R"("b@example.com")"}});
  c.emplace_back("53_spliced_payload_hs", B64(kHsHeader) + "." + B64(other) + "." + Sig(v_hs),
                 R::kBadSignature);
  c.emplace_back("53_spliced_payload_rs", B64(kRsHeader) + "." + B64(other) + "." + Sig(v_rs),
                 R::kBadSignature);
}

// Replaces '-' and '_' by '+' and '/' (the standard alphabet).
std::string StandardAlphabet(std::string s) {
  for (char& ch : s) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  return s;
}

void AddEncodingRows(std::vector<Case>& c) {
  const std::string h = B64(kHsHeader);
  const std::string p = B64(Payload());
  const std::string v_hs = ValidHs();
  c.emplace_back("54_padding_header", TokenRaw(h + "=", p, Hs()), R::kMalformed);
  c.emplace_back("54_padding_payload", TokenRaw(h, p + "==", Hs()), R::kMalformed);
  c.emplace_back("54_padding_signature", v_hs + "=", R::kMalformed);
  // A sub whose encoding contains '-' and '_' in every alignment, so the standard alphabet
  // really differs.
  const std::string odd = B64(Payload({{"sub", R"("a>>>?>??>?>>@example.com")"}}));
  ASSERT_NE(StandardAlphabet(odd), odd);
  c.emplace_back("55_standard_alphabet_payload", TokenRaw(h, StandardAlphabet(odd), Hs()),
                 R::kMalformed);
  c.emplace_back("56_space_inside", TokenRaw(h, p.substr(0, 10) + " " + p.substr(10), Hs()),
                 R::kMalformed);
  c.emplace_back("56_tab_before", "\t" + v_hs, R::kMalformed);
  c.emplace_back("56_newline_inside_signature",
                 Body(v_hs) + "." + Sig(v_hs).substr(0, 20) + "\n" + Sig(v_hs).substr(20),
                 R::kMalformed);
  c.emplace_back("57_percent_encoded", TokenRaw(h, "%65" + p.substr(1), Hs()), R::kMalformed);
  c.emplace_back("58_non_ascii_e_acute", TokenRaw(h, p + "\xC3\xA9", Hs()), R::kMalformed);
  c.emplace_back("58_fullwidth_digit", TokenRaw(h, p + "\xEF\xBC\x91", Hs()), R::kMalformed);
  const std::string p1 = p.size() % 4 == 0 ? p + "A" : p + std::string(5 - p.size() % 4, 'A');
  ASSERT_EQ(p1.size() % 4, 1u);
  c.emplace_back("59_length_1_mod_4", TokenRaw(h, p1, Hs()), R::kBadEncoding);
  const std::string sig = Sig(v_hs);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t last = alphabet.find(sig.back());
  for (size_t bits = 1; bits < 4; ++bits) {
    c.emplace_back("60_signature_unused_bits_" + std::to_string(bits),
                   Body(v_hs) + "." + sig.substr(0, sig.size() - 1) + alphabet[last | bits],
                   R::kBadEncoding);
  }
  // 7 bytes: the last of 10 characters carries 4 unused bits. Re-signed over the alias.
  const std::string p_alias = B64(std::string("{\"a\":1}"));
  const size_t pl = alphabet.find(p_alias.back());
  c.emplace_back("60_payload_unused_bits",
                 TokenRaw(h, p_alias.substr(0, p_alias.size() - 1) + alphabet[pl | 1], Hs()),
                 R::kBadEncoding);
  c.emplace_back("61_bearer_prefix", "Bearer " + v_hs, R::kMalformed);
  c.emplace_back("61_bearer_doubled_inside", "bearer%20" + v_hs, R::kMalformed);
}

void AddFormatRows(std::vector<Case>& c) {
  const std::string v_hs = ValidHs();
  const std::string v_rs = ValidRs();
  c.emplace_back("62_fourth_empty_segment", v_hs + ".", R::kMalformed);
  c.emplace_back("63_fourth_segment", v_hs + ".eA", R::kMalformed);
  c.emplace_back("64_five_segments_jwe", v_hs + ".eA.eA", R::kMalformed);
  c.emplace_back("65_trailing_space", v_hs + " ", R::kMalformed);
  c.emplace_back("65_trailing_newline", v_rs + "\n", R::kMalformed);
  const std::string h = v_hs.substr(0, v_hs.find('.'));
  const std::string serialized = R"({"payload":")" + B64(Payload()) +
                                 R"(","signatures":[{"protected":")" + h + R"(","signature":")" +
                                 Sig(v_hs) + R"("}]})";
  c.emplace_back("66_json_serialization", serialized, R::kMalformed);
  c.emplace_back("67_two_tokens_comma", v_hs + "," + v_rs, R::kMalformed);
}

void AddJsonRows(std::vector<Case>& c) {
  const std::string p = Payload();
  c.emplace_back("68_duplicate_alg_hs_then_none",
                 Token(R"({"alg":"HS256","alg":"none","typ":"JWT"})", p, Hs()), R::kBadJson);
  c.emplace_back("68_duplicate_alg_none_then_hs",
                 Token(R"({"alg":"none","alg":"HS256","typ":"JWT"})", p, Hs()), R::kBadJson);
  c.emplace_back("69_duplicate_kid",
                 Token(R"({"alg":"RS256","typ":"JWT","kid":"k9","kid":"k1"})", p, Rs()),
                 R::kBadJson);
  const std::string body = p.substr(1);  // claims without the opening brace
  c.emplace_back("70_duplicate_jti",
                 Token(kHsHeader, R"({"jti":"11111111-2222-4333-8444-555555555555",)" + body, Hs()),
                 R::kBadJson);
  c.emplace_back(
      "71_duplicate_exp",
      Token(kHsHeader, R"({"exp":1,)" + Payload({{"exp", "9999999999"}}).substr(1), Hs()),
      R::kBadJson);
  c.emplace_back(
      "72_duplicate_through_escape",
      Token(kHsHeader, R"({"\u006ati":"11111111-2222-4333-8444-555555555555",)" + body, Hs()),
      R::kBadJson);
  c.emplace_back("73_trailing_garbage", Token(kHsHeader, p + "x", Hs()), R::kBadJson);
  c.emplace_back("73_second_object", Token(kHsHeader, p + "{}", Hs()), R::kBadJson);
  c.emplace_back("74_comment", Token(kHsHeader, "/*x*/" + p, Hs()), R::kBadJson);
  c.emplace_back("74_single_quotes", Token(R"({'alg':'HS256','typ':'JWT'})", p, Hs()), R::kBadJson);
  c.emplace_back("74_trailing_comma", Token(kHsHeader, p.substr(0, p.size() - 1) + ",}", Hs()),
                 R::kBadJson);
  c.emplace_back("75_header_nested_10000",
                 Token(std::string(10000, '[') + std::string(10000, ']'), p, Hs()), R::kTooLarge);
  c.emplace_back("75_header_nested_1000",
                 Token(std::string(1000, '[') + std::string(1000, ']'), p, Hs()), R::kBadJson);
  c.emplace_back(
      "75_payload_nested_100",
      Token(kHsHeader, Payload({{"x", std::string(100, '[') + std::string(100, ']')}}), Hs()),
      R::kBadJson);
  const std::vector<std::pair<std::string, std::string>> not_objects = {
      {"array", "[]"}, {"string", R"("s")"}, {"number", "1"}, {"null", "null"}};
  for (const auto& [type, payload] : not_objects) {
    c.emplace_back("76_payload_not_object_" + type, Token(kHsHeader, payload, Hs()), R::kBadJson);
  }
  const std::vector<std::tuple<std::string, std::string, Rejection>> numbers = {
      {"NaN", "NaN", R::kBadJson},
      {"Infinity", "Infinity", R::kBadJson},
      {"minus_zero", "-0", R::kBadClaims},
      {"1e400", "1e400", R::kBadJson},
      {"leading_zero", "01800003600", R::kBadJson},
  };
  for (const auto& [name, raw, expected] : numbers) {
    for (const char* claim : {"exp", "iat", "nbf"}) {
      c.emplace_back("77_" + std::string(claim) + "_" + name,
                     Token(kHsHeader, Payload({{claim, raw}}), Hs()), expected);
    }
  }
}

void AddUtf8Rows(std::vector<Case>& c) {
  c.emplace_back("78_overlong_in_sub",
                 Token(kHsHeader,
                       Payload({{"sub",
                                 "\"a\xC0\xAF"
                                 "b@example.com\""}}),
                       Hs()),
                 R::kBadUtf8);
  c.emplace_back("79_encoded_surrogate",
                 Token(kHsHeader, Payload({{"sub", "\"a\xED\xA0\x80@example.com\""}}), Hs()),
                 R::kBadUtf8);
  c.emplace_back("80_ff_byte", Token(kHsHeader, Payload({{"sub", "\"a\xFF@x.com\""}}), Hs()),
                 R::kBadUtf8);
  c.emplace_back("80_fe_byte", Token(kHsHeader, Payload({{"sub", "\"a\xFE@x.com\""}}), Hs()),
                 R::kBadUtf8);
  c.emplace_back("81_bom_payload", Token(kHsHeader, "\xEF\xBB\xBF" + Payload(), Hs()), R::kBadUtf8);
  c.emplace_back("81_bom_header", Token(std::string("\xEF\xBB\xBF") + kHsHeader, Payload(), Hs()),
                 R::kBadUtf8);
  std::string utf16;
  for (char ch : Payload()) utf16 += std::string(1, ch) + std::string(1, '\0');
  c.emplace_back("82_utf16le_payload", Token(kHsHeader, utf16, Hs()), R::kBadJson);
  c.emplace_back("83_escaped_lone_surrogate",
                 Token(kHsHeader, Payload({{"sub", R"("a\ud800@example.com")"}}), Hs()),
                 R::kBadJson);
  c.emplace_back("84_nul_in_sub", Token(kHsHeader, Payload({{"sub", R"("a\u0000b")"}}), Hs()),
                 R::kBadClaims);
}

void AddTypRows(std::vector<Case>& c) {
  const std::string p = Payload();
  c.emplace_back("85_typ_missing", Token(R"({"alg":"HS256"})", p, Hs()), R::kBadHeader);
  const std::vector<std::pair<std::string, std::string>> typs = {
      {"at_jwt", R"("at+jwt")"},  {"secevent_jwt", R"("secevent+jwt")"},
      {"JWE", R"("JWE")"},        {"JOSE", R"("JOSE")"},
      {"empty", R"("")"},         {"number", "1"},
      {"JWT_space", R"("JWT ")"}, {"application_jwt", R"("application/jwt")"},
  };
  for (const auto& [name, raw] : typs) {
    c.emplace_back("86_typ_" + name, Token(R"({"alg":"HS256","typ":)" + raw + "}", p, Hs()),
                   R::kBadHeader);
  }
  c.emplace_back("87_cty_jwt", Token(R"({"alg":"HS256","typ":"JWT","cty":"JWT"})", p, Hs()),
                 R::kBadHeader);
}

void AddClaimRows(std::vector<Case>& c) {
  auto hs = [](const std::map<std::string, std::optional<std::string>>& o) {
    return Token(kHsHeader, Payload(o), Hs());
  };
  int row = 88;
  for (const char* claim : {"client_id", "exp", "iat", "nbf", "jti", "sub"}) {
    c.emplace_back(std::to_string(row++) + "_" + claim + "_removed", hs({{claim, std::nullopt}}),
                   R::kBadClaims);
    c.emplace_back(std::string("94_") + claim + "_empty_string", hs({{claim, R"("")"}}),
                   R::kBadClaims);
  }
  for (const char* claim : {"client_id", "jti", "sub"}) {
    const std::vector<std::pair<std::string, std::string>> wrong = {
        {"number", "1"}, {"array", "[]"}, {"object", "{}"}, {"true", "true"}, {"null", "null"}};
    for (const auto& [type, raw] : wrong) {
      c.emplace_back(std::string("95_") + claim + "_as_" + type, hs({{claim, raw}}), R::kBadClaims);
    }
  }
  const std::vector<std::pair<std::string, std::string>> bad_dates = {
      {"string", R"("x")"},
      {"numeric_string", "\"" + std::to_string(kT0 + 3600) + "\""},
      {"float_exponent", "1.8e9"},
      {"float_fraction", std::to_string(kT0) + ".5"},
      {"float_zero_fraction", std::to_string(kT0 + 3600) + ".0"},
      {"negative", "-1"},
      {"2_pow_53", "9007199254740992"},
      {"2_pow_63_minus_1", "9223372036854775807"},
      {"2_pow_63", "9223372036854775808"},
      {"2_pow_64", "18446744073709551616"},
      {"1e10", "1e10"},
      {"year_10000", "253402300800"},
      {"array", "[1800000000]"},
      {"true", "true"},
      {"null", "null"},
  };
  for (const auto& [name, raw] : bad_dates) {
    for (const char* claim : {"exp", "iat", "nbf"}) {
      c.emplace_back(std::string("96_99_") + claim + "_" + name, hs({{claim, raw}}), R::kBadClaims);
    }
  }
  c.emplace_back(
      "100_lifetime_over_max",
      hs({{"iat", std::to_string(kT0 - 60)}, {"exp", std::to_string(kT0 - 60 + 31536000 + 1)}}),
      R::kLifetimeTooLong);
  c.emplace_back("101_nbf_after_exp", hs({{"nbf", std::to_string(kT0 + 3601)}}), R::kBadClaims);
  c.emplace_back("102_iat_after_exp",
                 hs({{"iat", std::to_string(kT0 + 10)}, {"exp", std::to_string(kT0 + 5)}}),
                 R::kBadClaims);
  c.emplace_back("103_aud_present", hs({{"aud", R"("broker")"}}), R::kBadClaims);
  c.emplace_back("104_iss_present", hs({{"iss", R"("https://broker")"}}), R::kBadClaims);
  // Profile decision (docs/jwt.md): a claim outside the six is refused, not ignored.
  c.emplace_back("105_unknown_extra_claim", hs({{"foo", "1"}}), R::kBadClaims);
  const std::vector<std::pair<std::string, std::string>> bad_jti = {
      {"upper_case", R"("0B5B3C9E-8F2A-4D51-9C1E-2F6A7D8E9F01")"},
      {"no_dashes", R"("0b5b3c9e8f2a4d519c1e2f6a7d8e9f01")"},
      {"braces", R"("{0b5b3c9e-8f2a-4d51-9c1e-2f6a7d8e9f01}")"},
      {"not_hex", R"("0b5b3c9e-8f2a-4d51-9c1e-2f6a7d8e9fzz")"},
      {"65_bytes", "\"" + std::string(65, 'a') + "\""},
      {"uuid_plus_suffix", R"("0b5b3c9e-8f2a-4d51-9c1e-2f6a7d8e9f01x")"},
  };
  for (const auto& [name, raw] : bad_jti) {
    c.emplace_back("106_jti_" + name, hs({{"jti", raw}}), R::kBadClaims);
  }
}

void AddRotationAndSizeRows(std::vector<Case>& c) {
  // 118: a token whose kid was removed from configuration after a rotation.
  auto old_key = internal::KeyFromPem(PrivatePem(Keys().attacker), "k0").value();
  c.emplace_back("118_removed_kid",
                 Token(R"({"alg":"RS256","typ":"JWT","kid":"k0"})", Payload(), *old_key),
                 R::kUnknownKey);
  c.emplace_back("127_100000_dots", std::string(100000, '.'), R::kTooLarge);
  c.emplace_back("128_kid_64k",
                 Token(R"({"alg":"RS256","typ":"JWT","kid":")" + std::string(65536, 'k') + "\"}",
                       Payload(), Rs()),
                 R::kTooLarge);
  c.emplace_back(
      "129_payload_string_1mb",
      Token(kHsHeader, Payload({{"sub", "\"" + std::string(1 << 20, 'a') + "\""}}), Hs()),
      R::kTooLarge);
  c.emplace_back("129_just_over_cap", std::string(4097, 'a'), R::kTooLarge);
}

std::vector<Case> Catalogue() {
  std::vector<Case> c;
  AddAlgorithmRows(c);
  AddKeyConfusionRows(c);
  AddKidRows(c);
  AddHeaderRows(c);
  AddSignatureRows(c);
  AddEncodingRows(c);
  AddFormatRows(c);
  AddJsonRows(c);
  AddUtf8Rows(c);
  AddTypRows(c);
  AddClaimRows(c);
  AddRotationAndSizeRows(c);
  return c;
}

const std::vector<Case>& AllCases() {
  static const std::vector<Case> cases = Catalogue();
  return cases;
}

class CatalogueTest : public ::testing::TestWithParam<Case> {};

TEST_P(CatalogueTest, Rejected) {
  const Case& c = GetParam();
  const KeySet& keys = c.keys ? *c.keys : *Keys().keys;
  Claims claims;
  std::optional<VerifyError> error = keys.VerifyDetailed(c.token, kT0, VerifyOptions{}, &claims);
  ASSERT_TRUE(error.has_value()) << "accepted: " << c.name;
  EXPECT_EQ(RejectionName(error->reason), RejectionName(c.expected)) << error->detail;
  EXPECT_FALSE(keys.Verify(c.token, kT0, VerifyOptions{}).ok());
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = "row" + info.param.name;
  for (char& ch : name) {
    if (std::isalnum(static_cast<unsigned char>(ch)) == 0) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(SecurityMd12, CatalogueTest, ::testing::ValuesIn(AllCases()), CaseName);

TEST(CatalogueSummary, TemplatesAreValidAndCatalogueIsComplete) {
  // Without this, a broken template would make every row "rejected" for the wrong reason.
  EXPECT_FALSE(Keys().keys->VerifyDetailed(ValidHs(), kT0, VerifyOptions{}, nullptr).has_value());
  EXPECT_FALSE(Keys().keys->VerifyDetailed(ValidRs(), kT0, VerifyOptions{}, nullptr).has_value());
  size_t accepted = 0;
  for (const Case& c : AllCases()) {
    const KeySet& keys = c.keys ? *c.keys : *Keys().keys;
    if (!keys.VerifyDetailed(c.token, kT0, VerifyOptions{}, nullptr)) ++accepted;
  }
  EXPECT_EQ(accepted, 0u);
  EXPECT_GE(AllCases().size(), 130u);
  std::set<std::string> names;
  for (const Case& c : AllCases()) EXPECT_TRUE(names.insert(c.name).second) << c.name;
}

}  // namespace
}  // namespace broker::jwt::testing
