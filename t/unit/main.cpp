// Catch2's main for the unit tests of lib/ (no Apache involved).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
