// Test helpers for layers (from the basic-layers work): building with a fixed generator, a gradient-check
// the checked tensors in as the layer's input and weights, and the Keras config round trip.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/gradcheck.hpp"
#include "layers/layer.hpp"
#include "layers/registry.hpp"

namespace tessera::test {

inline void build(Layer& layer, const Shape& sample_shape, std::uint64_t seed = 1) {
  Generator gen(seed);
  layer.build(sample_shape, gen);
}

// f(x, w1, w2, ...) = layer(x) with the layer's first weights replaced by w1, w2, ...
// `before_call` runs before every forward pass (e.g. to reseed a random layer).
inline GradCheckFn layer_function(Layer& layer, bool training,
                                  std::function<void()> before_call = {}) {
  return [&layer, training, before_call](const std::vector<Variable>& v) {
    for (std::size_t i = 1; i < v.size(); ++i) layer.weights()[i - 1].variable = v[i];
    if (before_call) before_call();
    return layer(v[0], training);
  };
}

// The layer's input and its first `n_weights` weights, as gradient-check inputs.
inline std::vector<Tensor> input_and_weights(const Tensor& x, const Layer& layer,
                                             std::size_t n_weights) {
  std::vector<Tensor> inputs = {x};
  for (std::size_t i = 0; i < n_weights; ++i) inputs.push_back(layer.weights()[i].variable.value());
  return inputs;
}

// get_config → layer_from_config → get_config must give the same JSON and class.
inline LayerPtr expect_config_round_trip(const Layer& layer) {
  const Json config = layer.get_config();
  LayerPtr copy = layer_from_config(layer.class_name(), config);
  EXPECT_EQ(copy->class_name(), layer.class_name());
  EXPECT_EQ(copy->get_config(), config) << "original: " << config.dump() << "\ncopy: "
                                        << copy->get_config().dump();
  return copy;
}

// Expects `statement` to throw LayerError whose message contains every one of `parts`.
#define EXPECT_LAYER_ERROR(statement, ...)                                         \
  do {                                                                             \
    try {                                                                          \
      statement;                                                                   \
      ADD_FAILURE() << "no LayerError from " #statement;                           \
    } catch (const ::tessera::LayerError& e) {                                     \
      for (const std::string part : {__VA_ARGS__})                                 \
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)             \
            << "message: " << e.what() << "\nmissing: " << part;                   \
    }                                                                              \
  } while (0)

}  // namespace tessera::test
