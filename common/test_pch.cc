// The translation unit that precompiles common/test_pch.h (CENSUS_PCH in CMakeLists.txt).
#include "common/test_pch.h"
