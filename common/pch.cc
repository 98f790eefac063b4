// The translation unit that precompiles common/pch.h (CENSUS_PCH in CMakeLists.txt).
#include "common/pch.h"
