// Keras' optimizers, by Keras' own update formulas (keras.optimizers, Keras 2.11+; the legacy
// ones agree where they overlap), not PyTorch's.
//
// An optimizer keeps per-variable state (slots) by the variable's position in the list given
// to apply_gradients, so callers pass the same variables in the same order every step (the
// model's trainable weights in Keras' order). Gradient clipping (clipnorm per variable,
// clipvalue, global_clipnorm) runs before the update, as Keras does.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/tensor.hpp"

namespace tessera {

using Json = nlohmann::json;

// A learning rate as a function of the step (the optimizer's iteration count before the step).
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual float operator()(std::int64_t step) const = 0;
  virtual std::string class_name() const = 0;
  virtual Json config() const = 0;
};
using SchedulePtr = std::shared_ptr<const LearningRateSchedule>;

// One variable to update: its value (changed in place) and its gradient.
struct ParamRef {
  Tensor* value;
  const Tensor* grad;
};

struct ClipOptions {
  float clipnorm = 0.0f;         // 0: off
  float clipvalue = 0.0f;        // 0: off
  float global_clipnorm = 0.0f;  // 0: off
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One step: clip, then update every variable. Increments iterations().
  void apply_gradients(const std::vector<ParamRef>& params);

  virtual std::string class_name() const = 0;  // "Adam"
  // Keras' optimizer config ({"name", "learning_rate", ...}).
  virtual Json get_config() const;

  // The learning rate of the next step (the schedule's value at iterations() when scheduled).
  float learning_rate() const;
  // Replaces the learning rate by a constant (ReduceLROnPlateau, LearningRateScheduler).
  void set_learning_rate(float lr);
  void set_schedule(SchedulePtr schedule) { schedule_ = std::move(schedule); }
  std::int64_t iterations() const { return iterations_; }
  ClipOptions clip;

 protected:
  explicit Optimizer(float learning_rate) : lr_(learning_rate) {}
  // Updates w from g for variable `index` (stable across steps); `lr` is this step's rate and
  // `step` is iterations() + 1 (Keras' 1-based t for bias correction).
  virtual void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) = 0;
  // The per-variable state tensors of variable `index` (n slots shaped like w, zero-filled on
  // first use); `init` fills new slots with another value (Adagrad's initial accumulator).
  std::vector<Tensor>& slots(std::size_t index, const Tensor& w, std::size_t n, float init = 0.0f);

 private:
  float lr_;
  SchedulePtr schedule_;
  std::int64_t iterations_ = 0;
  std::vector<std::vector<Tensor>> slots_;
};

using OptimizerPtr = std::shared_ptr<Optimizer>;

// By Keras name ("adam", "sgd", "rmsprop", ...) with Keras' defaults.
OptimizerPtr get_optimizer(const std::string& name);
// From a Keras optimizer config as in training_config: {"class_name", "config"} (accepts both
// "learning_rate" and the old "lr"; a learning rate that is itself a schedule config).
OptimizerPtr optimizer_from_json(const Json& j);
Json optimizer_to_json(const Optimizer& optimizer);

}  // namespace tessera
