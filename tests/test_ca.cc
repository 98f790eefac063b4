#include "tests/test_ca.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace census::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

absl::Status Fail(const std::string& what) { return absl::InternalError("test CA: " + what); }

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return Fail(absl::StrCat("extension ", value));
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? absl::OkStatus() : Fail("X509_add_ext");
}

// A certificate of `key` for `cn` over [not_before, not_after], signed with
// `issuer_key` under `issuer` (null: self-signed).
absl::StatusOr<Cert> MakeCert(EVP_PKEY* key, const std::string& cn, absl::Time not_before,
                              absl::Time not_after, X509* issuer, EVP_PKEY* issuer_key,
                              long serial) {
  Cert cert(X509_new());
  if (cert == nullptr) return Fail("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), absl::ToTimeT(not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), absl::ToTimeT(not_after));
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return Fail("X509_sign");
  return cert;
}

absl::Status WritePem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return Fail(absl::StrCat("cannot write ", path.string()));
  const int ok = cert != nullptr
                     ? PEM_write_X509(f, cert)
                     : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  return ok == 1 ? absl::OkStatus() : Fail(absl::StrCat("PEM write ", path.string()));
}

// A PEM object of `path` read by `read` (PEM_read_PrivateKey, PEM_read_X509).
template <typename Owned, typename Reader>
absl::StatusOr<Owned> ReadPem(const std::string& path, Reader read) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return Fail("cannot read " + path);
  Owned object(read(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (object == nullptr) return Fail("bad PEM " + path);
  return object;
}

}  // namespace

absl::StatusOr<TestCa> TestCa::Create(const std::filesystem::path& dir, absl::Time now) {
  TestCa ca;
  ca.dir_ = dir;
  std::filesystem::create_directories(dir);
  Pkey key(EVP_EC_gen("P-256"));
  if (key == nullptr) return Fail("EVP_EC_gen");
  absl::StatusOr<Cert> cert = MakeCert(key.get(), "Census Test CA", now - absl::Hours(24),
                                       now + absl::Hours(24 * 365), nullptr, key.get(), 1);
  if (!cert.ok()) return cert.status();
  // Extensions are signed: add them, then sign again.
  if (auto st = AddExtension(cert->get(), cert->get(), NID_basic_constraints, "critical,CA:TRUE");
      !st.ok()) {
    return st;
  }
  if (auto st =
          AddExtension(cert->get(), cert->get(), NID_key_usage, "critical,keyCertSign,cRLSign");
      !st.ok()) {
    return st;
  }
  if (X509_sign(cert->get(), key.get(), EVP_sha256()) == 0) return Fail("X509_sign CA");
  ca.ca_.cert = (dir / "ca.pem").string();
  ca.ca_.key = (dir / "ca.key").string();
  if (auto st = WritePem(ca.ca_.cert, cert->get(), nullptr); !st.ok()) return st;
  if (auto st = WritePem(ca.ca_.key, nullptr, key.get()); !st.ok()) return st;
  return ca;
}

absl::StatusOr<CertFiles> TestCa::Issue(const std::string& name,
                                        const std::vector<std::string>& hosts,
                                        absl::Time not_before, absl::Time not_after,
                                        bool self_signed) const {
  if (hosts.empty()) return Fail("a certificate needs a host");
  absl::StatusOr<Pkey> ca_key = ReadPem<Pkey>(ca_.key, PEM_read_PrivateKey);
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<Cert> ca_cert = ReadPem<Cert>(ca_.cert, PEM_read_X509);
  if (!ca_cert.ok()) return ca_cert.status();
  Pkey key(EVP_EC_gen("P-256"));
  if (key == nullptr) return Fail("EVP_EC_gen");
  static long serial = 100;
  X509* issuer = self_signed ? nullptr : ca_cert->get();
  EVP_PKEY* signer = self_signed ? key.get() : ca_key->get();
  absl::StatusOr<Cert> cert =
      MakeCert(key.get(), hosts[0], not_before, not_after, issuer, signer, ++serial);
  if (!cert.ok()) return cert.status();
  std::vector<std::string> sans;
  for (const std::string& h : hosts) sans.push_back("DNS:" + h);
  if (auto st = AddExtension(cert->get(), issuer != nullptr ? issuer : cert->get(),
                             NID_subject_alt_name, absl::StrJoin(sans, ","));
      !st.ok()) {
    return st;
  }
  if (X509_sign(cert->get(), signer, EVP_sha256()) == 0) return Fail("X509_sign");
  CertFiles files{(dir_ / (name + ".pem")).string(), (dir_ / (name + ".key")).string()};
  if (auto st = WritePem(files.cert, cert->get(), nullptr); !st.ok()) return st;
  if (auto st = WritePem(files.key, nullptr, key.get()); !st.ok()) return st;
  return files;
}

}  // namespace census::testing
