#ifndef CENSUS_SIMWEB_ICONV_FOR_TESTS_H_
#define CENSUS_SIMWEB_ICONV_FOR_TESTS_H_

// For simweb's tests: the simulated web's GBK pages decoded back to UTF-8 (the census
// itself decodes with worker/charset.cc, which simweb does not link).

#include <iconv.h>

#include <string>

namespace census::simweb {

// Decodes `bytes` from `charset` (an iconv name: "GBK", "GB18030") into *utf8. False
// when iconv stops at an invalid sequence; *utf8 then holds what came before it.
inline bool IconvToUtf8(const std::string& bytes, const char* charset, std::string* utf8) {
  iconv_t cd = iconv_open("UTF-8", charset);
  std::string out(bytes.size() * 3 + 4, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* o = out.data();
  size_t out_left = out.size();
  const size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  out.resize(out.size() - out_left);
  *utf8 = std::move(out);
  return rc != static_cast<size_t>(-1);
}

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_ICONV_FOR_TESTS_H_
