// Reading and writing the pieces of Keras layer configs that many layers share: int-or-tuple
// sizes, padding, data_format, activations, and the common base keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/activations.hpp"
#include "layers/layer.hpp"

namespace tessera {

// An int or a list of n ints, each ≥ 1 (Keras' conv_utils.normalize_tuple). `what` names the
// argument in the error ("LocallyConnected2D 'lc': kernel_size must be ...").
std::vector<std::size_t> positive_tuple(const Json& value, std::size_t n, const std::string& what);
std::vector<std::size_t> positive_tuple(const std::vector<long>& value, std::size_t n,
                                        const std::string& what);

// "valid" or "same" (case-insensitive; also "causal" when allow_causal), lower-cased.
std::string normalize_padding(const std::string& padding, const std::string& what,
                              bool allow_causal = false);
// "channels_last" or "channels_first" (case-insensitive), lower-cased; JSON null → default.
std::string normalize_data_format(const std::string& data_format, const std::string& what);

// A layer's activation, remembered by its Keras name so that the config can write it back.
struct NamedActivation {
  std::string name = "linear";
  ActivationFn fn = linear;
};
NamedActivation make_activation(const std::string& name);
// A config value: a string, null (linear) or {"class_name"/"config"} (Keras 3 style).
NamedActivation activation_from_json(const Json& value);

// The arguments shared by every layer with a kernel and a bias (Dense, Conv, LocallyConnected),
// with Keras' defaults. Use designated initializers: Dense(64, {.activation = "relu"}).
struct KernelOptions {
  std::string activation = "linear";
  bool use_bias = true;
  InitializerPtr kernel_initializer = glorot_uniform_initializer();
  InitializerPtr bias_initializer = zeros_initializer();
  RegularizerPtr kernel_regularizer = nullptr;
  RegularizerPtr bias_regularizer = nullptr;
  RegularizerPtr activity_regularizer = nullptr;
  ConstraintPtr kernel_constraint = nullptr;
  ConstraintPtr bias_constraint = nullptr;
  std::string name = "";
};
// Reads the keys above from a Keras layer config (absent keys keep Keras' defaults).
KernelOptions kernel_options_from_json(const Json& config);
// Writes them into a Keras layer config.
void kernel_options_to_json(const KernelOptions& options, Json& config);

// Sets name and trainable from a Keras config onto the layer.
void apply_base_config(Layer& layer, const Json& config);

// A random layer's "seed": JSON null or a non-negative integer.
std::optional<std::uint64_t> seed_from_json(const Json& config);
Json seed_to_json(const std::optional<std::uint64_t>& seed);

// A per-sample shape as Keras prints a batch: (4, 5) → "(None, 4, 5)".
std::string batch_shape_str(const Shape& sample_shape);

// The value of `key` in `config`, or `fallback` when absent or null. A copy, not a reference:
// callers pass temporaries as the fallback (config_value(c, "axis", -1)), and a reference to one
// dangles (ASan: stack-use-after-scope).
Json config_value(const Json& config, const std::string& key, const Json& fallback);

}  // namespace tessera
