#ifndef CENSUS_COMMON_FETCH_ERROR_H_
#define CENSUS_COMMON_FETCH_ERROR_H_

#include <string>

#include "proto/census.pb.h"

namespace census {

// "http_404", "timeout", ... as the report contract names fetch errors; "" for FETCH_OK.
std::string FetchErrorName(FetchError e);

}  // namespace census

#endif  // CENSUS_COMMON_FETCH_ERROR_H_
