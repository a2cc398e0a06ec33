// Keras' weight constraints (keras.constraints), applied in place after every optimizer step to
// the variable in its stored layout.
//   max_norm(m, axis):           w · clip(n, 0, m) / (ε + n)
//   non_neg:                     w · (w ≥ 0)
//   unit_norm(axis):             w / (ε + n)
//   min_max_norm(lo, hi, rate, axis): w · (rate·clip(n, lo, hi) + (1 − rate)·n) / (ε + n)
// with n = sqrt(Σ w² over axis, keepdims) and ε = 1e-7 (Keras' backend epsilon).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/tensor.hpp"

namespace tessera {

using Json = nlohmann::json;

class Constraint {
 public:
  virtual ~Constraint() = default;
  virtual void apply(Tensor& w) const = 0;
  virtual std::string class_name() const = 0;  // "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm"
  virtual Json config() const = 0;
};
using ConstraintPtr = std::shared_ptr<const Constraint>;

// `axis` may be negative and may list several axes, as Keras allows. Keras' default axis is 0.
ConstraintPtr max_norm_constraint(float max_value = 2.0f, std::vector<int> axis = {0});
ConstraintPtr non_neg_constraint();
ConstraintPtr unit_norm_constraint(std::vector<int> axis = {0});
ConstraintPtr min_max_norm_constraint(float min_value = 0.0f, float max_value = 1.0f,
                                      float rate = 1.0f, std::vector<int> axis = {0});

// null for JSON null; a name ("max_norm", "non_neg", ...) or {"class_name", "config"}.
ConstraintPtr constraint_from_json(const Json& j);
Json constraint_to_json(const ConstraintPtr& c);  // JSON null for null

}  // namespace tessera
