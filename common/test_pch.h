// common/pch.h and GoogleTest, precompiled once for every census_test (CMakeLists.txt).
#ifndef CENSUS_COMMON_TEST_PCH_H_
#define CENSUS_COMMON_TEST_PCH_H_

#include "common/pch.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#endif  // CENSUS_COMMON_TEST_PCH_H_
