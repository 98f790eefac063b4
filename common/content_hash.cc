#include "common/content_hash.h"

#include <openssl/evp.h>

namespace census {

// SHA-256 (OpenSSL libcrypto), lower-case hex, 64 characters: what `sha256sum` prints,
// so any component or user can recompute a snapshot id.
std::string ContentHash(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    return std::string();  // only on allocation failure inside OpenSSL
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace census
