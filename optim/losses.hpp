// Keras' losses (keras.losses) with Keras' reductions.
//
// per_sample() reduces the last axis as Keras' loss functions do (mean squared error: mean over
// the last axis), giving one value per sample (and per remaining position for outputs of rank
// > 2); a step's loss is the mean of those (Keras' SUM_OVER_BATCH_SIZE). Crossentropies after a
// sigmoid or a last-axis softmax work from the logits (Keras' `_keras_logits`), so they are
// numerically stable; otherwise they clip probabilities to [1e-7, 1 − 1e-7] as Keras does.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/autodiff.hpp"

namespace tessera {

using Json = nlohmann::json;

class Loss {
 public:
  virtual ~Loss() = default;
  virtual Variable per_sample(const Variable& y_true, const Variable& y_pred) const = 0;
  // The mean of per_sample over everything.
  Variable operator()(const Variable& y_true, const Variable& y_pred) const;
  virtual std::string name() const = 0;        // Keras' function name: "mean_squared_error"
  virtual std::string class_name() const = 0;  // Keras' class: "MeanSquaredError"
  virtual Json get_config() const;
};
using LossPtr = std::shared_ptr<const Loss>;

LossPtr mean_squared_error();
LossPtr mean_absolute_error();
LossPtr binary_crossentropy(bool from_logits = false, float label_smoothing = 0.0f);
LossPtr categorical_crossentropy(bool from_logits = false, float label_smoothing = 0.0f);
// y_true holds class indices, shape (batch,) or (batch, 1).
LossPtr sparse_categorical_crossentropy(bool from_logits = false);
LossPtr huber(float delta = 1.0f);
LossPtr hinge();
LossPtr kl_divergence();

// By Keras name or alias ("mse", "mean_squared_error", "MeanSquaredError", "kld", ...), or
// from a config {"class_name", "config"}. Throws std::invalid_argument listing the names.
LossPtr get_loss(const std::string& name);
LossPtr loss_from_json(const Json& j);

}  // namespace tessera
