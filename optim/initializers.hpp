// Keras' weight initializers (keras.initializers), by Keras' formulas and fan rules.
//
// Fans come from the variable's stored shape: rank 1 → fan_in = fan_out = n; rank 2 → (in, out);
// rank ≥ 3 → receptive = product of all but the last two axes, fan_in = shape[-2]·receptive,
// fan_out = shape[-1]·receptive. Draws come from the model's seeded Generator (they are not
// TensorFlow's random streams; loading a file gives Keras' exact weights).
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json_fwd.hpp>

#include "core/random.hpp"
#include "core/tensor.hpp"

namespace tessera {

using Json = nlohmann::json;

class Initializer {
 public:
  virtual ~Initializer() = default;
  virtual Tensor operator()(const Shape& shape, Generator& gen) const = 0;
  virtual std::string class_name() const = 0;  // Keras' class: "GlorotUniform"
  virtual Json config() const;                 // the "config" object Keras writes ({} default)
};
using InitializerPtr = std::shared_ptr<const Initializer>;

// (fan_in, fan_out) of a stored shape, by Keras' rule above.
std::pair<double, double> compute_fans(const Shape& shape);

// By Keras name ("glorot_uniform", "he_normal", "zeros", ...) or class name ("GlorotUniform").
// Throws std::invalid_argument naming the initializer and listing the supported ones.
InitializerPtr get_initializer(const std::string& name);
// From a Keras config value: a name string, or {"class_name", "config"} (with or without
// "module"/"registered_name").
InitializerPtr initializer_from_json(const Json& j);
// {"class_name": ..., "config": {...}} as Keras 2 writes it.
Json initializer_to_json(const InitializerPtr& init);

// Constructors for use in C++ (Keras' defaults).
InitializerPtr zeros_initializer();
InitializerPtr ones_initializer();
InitializerPtr constant_initializer(float value);
InitializerPtr random_normal_initializer(float mean = 0.0f, float stddev = 0.05f);
InitializerPtr random_uniform_initializer(float minval = -0.05f, float maxval = 0.05f);
InitializerPtr truncated_normal_initializer(float mean = 0.0f, float stddev = 0.05f);
// mode: fan_in | fan_out | fan_avg; distribution: truncated_normal | untruncated_normal | uniform
InitializerPtr variance_scaling_initializer(float scale = 1.0f, const std::string& mode = "fan_in",
                                            const std::string& distribution = "truncated_normal");
InitializerPtr glorot_uniform_initializer();
InitializerPtr glorot_normal_initializer();
InitializerPtr he_uniform_initializer();
InitializerPtr he_normal_initializer();
InitializerPtr lecun_uniform_initializer();
InitializerPtr lecun_normal_initializer();
InitializerPtr orthogonal_initializer(float gain = 1.0f);
InitializerPtr identity_initializer(float gain = 1.0f);

}  // namespace tessera
