// Test helpers for layers: building, gradient checks through a layer's own weights, channels_first
// conversions of test data, the Keras config round trip, and checks of LayerError messages.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/activations.hpp"
#include "core/gradcheck.hpp"
#include "core/random.hpp"
#include "layers/layer.hpp"
#include "layers/registry.hpp"

namespace tessera::testing {

// Builds `layer` for `sample_shape` (no batch axis) with a generator seeded `seed`.
inline void build(Layer& layer, const Shape& sample_shape, std::uint64_t seed = 1) {
  Generator gen(seed);
  layer.build(sample_shape, gen);
}

// The gradient checker's function for `layer`: input 0 is x, inputs 1.. replace the layer's
// weights in order, so the check covers the input and every weight. `before_call` runs before
// each forward pass (e.g. to reseed a dropout layer so every pass draws the same mask).
inline GradCheckFn through_layer(Layer& layer, bool training = false,
                                 std::function<void()> before_call = {}) {
  return [&layer, training, before_call](const std::vector<Variable>& v) {
    for (std::size_t i = 1; i < v.size(); ++i) layer.weights()[i - 1].variable = v[i];
    if (before_call) before_call();
    return layer(v[0], training);
  };
}

// x followed by the current values of the layer's first `n_weights` weights (all by default):
// the checker's inputs for through_layer.
inline std::vector<Tensor> input_and_weights(const Tensor& x, const Layer& layer,
                                             std::size_t n_weights = std::size_t(-1)) {
  std::vector<Tensor> out{x};
  for (const auto& w : layer.weights())
    if (out.size() <= n_weights) out.push_back(w.variable.value());
  return out;
}

// `fused` (activation='relu', applied inside its op) against `plain` (the same layer and weights,
// linear) followed by relu: the same output and gradients of x and of every weight, bit for bit,
// and no relu node of the fused layer's own unless `relu_node_allowed`.
inline void expect_relu_inside_matches_relu_after(Layer& fused, Layer& plain, const Tensor& x,
                                                  Generator& gen, bool relu_node_allowed = false) {
  Variable x_fused(x, true), x_plain(x, true);
  Variable y_fused = fused(x_fused), y_plain = relu(plain(x_plain));
  if (!relu_node_allowed) EXPECT_NE(y_fused.node()->op, "relu");
  ASSERT_EQ(y_fused.value(), y_plain.value());
  EXPECT_GT(xt::sum(xt::equal(y_fused.value(), 0.0f))(), 0u);  // some outputs cut off
  const Tensor seed = gen.normal(y_fused.shape(), 0, 1);
  y_fused.backward(seed);
  y_plain.backward(seed);
  EXPECT_EQ(x_fused.grad(), x_plain.grad());
  for (std::size_t i = 0; i < fused.weights().size(); ++i)
    EXPECT_EQ(fused.weights()[i].variable.grad(), plain.weights()[i].variable.grad()) << i;
}

// get_config → layer_from_config → get_config must give the same JSON and class.
inline LayerPtr expect_config_round_trip(const Layer& layer) {
  const Json config = layer.get_config();
  LayerPtr copy = layer_from_config(layer.class_name(), config);
  EXPECT_EQ(copy->class_name(), layer.class_name());
  EXPECT_EQ(copy->get_config(), config) << "original: " << config.dump()
                                        << "\ncopy: " << copy->get_config().dump();
  return copy;
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
