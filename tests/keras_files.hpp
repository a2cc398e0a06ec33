// The Keras files (copied into tests/data from ../shared) that tessera loads whole: every layer
// they use is in the registry. Shared by the C++ API tests and the CLI tests.
//
// Not listed yet, blocked by layers that are not in the registry at this commit:
//   fixtures lc1d_impl2_same_cf, lc2d_impl3_cl, lc2d_impl2_cf_nobias, lc2d_cf_impl1 (Flatten);
//   conv_pool_dense (Conv2D, MaxPooling2D, Flatten); conv1d_lc1d_functional (Conv1D, Flatten);
//   real-keras: activations/*_0 (ELU, LeakyReLU, ReLU, Softmax, ThresholdedReLU), conv1d_* and
//   causal_conv1d_* (Conv1D).
#pragma once

#include <string>
#include <vector>

struct KerasFixture {
  std::string name;         // <name>.h5 and <name>.io.h5 (datasets x and y) in tests/data
  bool keras215_sequential; // written by Keras 2.15 as a Sequential: tessera's layout exactly
};

inline const std::vector<KerasFixture> kLoadableFixtures = {
    {"lc1d_seed_example", true},
    {"lc2d_seed_example", true},
};
