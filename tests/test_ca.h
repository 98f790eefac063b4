#ifndef CENSUS_TESTS_TEST_CA_H_
#define CENSUS_TESTS_TEST_CA_H_

// A certificate authority made at run time for TLS tests (OpenSSL API, EC P-256 keys):
// nothing private is committed. Certificates are written as PEM files into a folder
// of the test's.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace census::testing {

struct CertFiles {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key
};

class TestCa {
 public:
  // A CA valid from a day before `now` for a year, written to DIR/ca.pem (and its key).
  static absl::StatusOr<TestCa> Create(const std::filesystem::path& dir, absl::Time now);

  const std::string& ca_file() const { return ca_.cert; }

  // A server certificate for `hosts` (subjectAltName DNS names; the first is the CN),
  // valid over [not_before, not_after], signed by this CA, or by itself when
  // `self_signed`. Written to DIR/NAME.pem and DIR/NAME.key.
  absl::StatusOr<CertFiles> Issue(const std::string& name, const std::vector<std::string>& hosts,
                                  absl::Time not_before, absl::Time not_after,
                                  bool self_signed = false) const;

 private:
  std::filesystem::path dir_;
  CertFiles ca_;
};

}  // namespace census::testing

#endif  // CENSUS_TESTS_TEST_CA_H_
