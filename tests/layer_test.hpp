// Test helpers for layers: gradient checks through a layer's own weights, channels_first
// conversions of test data, and checks of LayerError messages.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/gradcheck.hpp"
#include "core/random.hpp"
#include "layers/layer.hpp"

namespace tessera::testing {

// The gradient checker's function for `layer`: input 0 is x, inputs 1.. replace the layer's
// weights in order, so the check covers the input and every weight.
inline GradCheckFn through_layer(Layer& layer) {
  return [&layer](const std::vector<Variable>& v) {
    for (std::size_t i = 1; i < v.size(); ++i) layer.weights()[i - 1].variable = v[i];
    return layer(v[0]);
  };
}

// x followed by the layer's current weight values: the checker's inputs for through_layer.
inline std::vector<Tensor> input_and_weights(const Tensor& x, const Layer& layer) {
  std::vector<Tensor> out{x};
  for (const auto& w : layer.weights()) out.push_back(w.variable.value());
  return out;
}

// Values 0.05 apart in random order: a max's finite difference (step 1e-2) never swaps two inputs.
inline Tensor distinct_values(const Shape& shape, Generator& gen) {
  Tensor t = Tensor::from_shape(shape);
  const auto order = gen.permutation(t.size());
  for (std::size_t i = 0; i < t.size(); ++i)
    t.data()[i] = 0.05f * (float(order[i]) - float(t.size()) / 2);
  return t;
}

// (B, spatial..., C) → (B, C, spatial...) and back.
inline Tensor channels_first_of(const Tensor& t) {
  std::vector<std::size_t> perm{0, t.dimension() - 1};
  for (std::size_t a = 1; a + 1 < t.dimension(); ++a) perm.push_back(a);
  return permute_axes(t, perm);
}
inline Tensor channels_last_of(const Tensor& t) {
  std::vector<std::size_t> perm{0};
  for (std::size_t a = 2; a < t.dimension(); ++a) perm.push_back(a);
  perm.push_back(1);
  return permute_axes(t, perm);
}

// Expects `action` to throw LayerError whose message contains every fragment.
inline void expect_layer_error(const std::function<void()>& action,
                               const std::vector<std::string>& fragments) {
  try {
    action();
    ADD_FAILURE() << "no LayerError thrown; expected one mentioning " << fragments.front();
  } catch (const LayerError& e) {
    for (const auto& f : fragments)
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos)
          << "message '" << e.what() << "' lacks '" << f << "'";
  }
}

}  // namespace tessera::testing
