// Keras' weight regularizers (keras.regularizers): loss terms added to a step's loss.
// l1: a·Σ|w|, l2: a·Σw² (no ½), l1_l2: both. Keras' defaults: l1 = l2 = 0.01.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/autodiff.hpp"

namespace tessera {

using Json = nlohmann::json;

class Regularizer {
 public:
  virtual ~Regularizer() = default;
  // The penalty as a differentiable scalar (0-d).
  virtual Variable operator()(const Variable& w) const = 0;
  virtual std::string class_name() const = 0;  // "L1", "L2", "L1L2"
  virtual Json config() const = 0;
};
using RegularizerPtr = std::shared_ptr<const Regularizer>;

RegularizerPtr l1_regularizer(float l1 = 0.01f);
RegularizerPtr l2_regularizer(float l2 = 0.01f);
RegularizerPtr l1_l2_regularizer(float l1 = 0.01f, float l2 = 0.01f);

// null for JSON null; a name ("l1", "l2", "l1_l2") or {"class_name", "config"} otherwise.
// Throws std::invalid_argument naming an unknown regularizer.
RegularizerPtr regularizer_from_json(const Json& j);
Json regularizer_to_json(const RegularizerPtr& r);  // JSON null for null

}  // namespace tessera
