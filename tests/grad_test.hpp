// Test helper: asserts that check_gradients (core/gradcheck.hpp) passes, printing its report.
#pragma once

#include <gtest/gtest.h>

#include "core/gradcheck.hpp"

#define EXPECT_GRADIENTS_OK(fn, inputs, ...)                                          \
  do {                                                                                \
    const auto gc_result_ = ::tessera::check_gradients(fn, inputs, ##__VA_ARGS__);   \
    EXPECT_TRUE(gc_result_.ok) << gc_result_.report;                                  \
    EXPECT_GT(gc_result_.checked, 0u);                                                \
  } while (0)
