#ifndef CENSUS_STORAGE_TEMP_DIR_FOR_TESTS_H_
#define CENSUS_STORAGE_TEMP_DIR_FOR_TESTS_H_

// A fresh directory under the system's temp directory for a test's store, removed with
// everything in it when the object goes.

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace census::testing {

class TempDir {
 public:
  // `name` prefixes the directory's name (the test's name, to tell leftovers apart).
  explicit TempDir(const std::string& name) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (name + ".XXXXXX")).string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // A path inside the directory (a store's directory: "db" by default).
  std::string path(const std::string& sub = "db") const { return path_ + "/" + sub; }

 private:
  std::string path_;
};

}  // namespace census::testing

#endif  // CENSUS_STORAGE_TEMP_DIR_FOR_TESTS_H_
