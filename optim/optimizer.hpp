// Keras' optimizers, by Keras' own update formulas (keras.optimizers, Keras 2.11+ as in 2.15;
// the legacy ones agree where they overlap, differences are noted per optimizer), not PyTorch's.
//
// An optimizer keeps per-variable state (slots) by the variable's position in the list given
// to apply_gradients, so callers pass the same variables in the same order every step (the
// model's trainable weights in Keras' order). A step is Keras 2.11+'s apply_gradients: the
// learning rate of the step (schedule at iterations(), legacy decay), gradient clipping,
// decoupled weight decay, the update of each variable, then iterations() + 1.
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

// One variable to update: its value (changed in place) and its gradient. A null gradient skips
// the variable for this step (Keras filters variables without gradients the same way).
struct ParamRef {
  Tensor* value;
  const Tensor* grad;
};

// Keras 2.11+ applies at most one kind, in this order: clipnorm, else global_clipnorm, else
// clipvalue; clipnorm and global_clipnorm together are an error.
struct ClipOptions {
  float clipnorm = 0.0f;         // 0: off; each gradient g·c / max(‖g‖, c)
  float clipvalue = 0.0f;        // 0: off; each element clamped to [−c, c]
  float global_clipnorm = 0.0f;  // 0: off; all gradients g·c / max(‖all‖, c)
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One step: clip, decay weights, update every variable. Increments iterations() unless no
  // variable has a gradient (Keras' no-op).
  void apply_gradients(const std::vector<ParamRef>& params);

  virtual std::string class_name() const = 0;  // "Adam"
  // Keras' optimizer config ({"name", "learning_rate", ...}).
  virtual Json get_config() const;

  // The learning rate of the next step (the schedule's value at iterations() when scheduled,
  // divided by 1 + decay·iterations() when the legacy decay is set).
  float learning_rate() const;
  // Replaces the learning rate (and any schedule) by a constant (ReduceLROnPlateau,
  // LearningRateScheduler). Throws std::invalid_argument when negative or not finite.
  void set_learning_rate(float lr);
  void set_schedule(SchedulePtr schedule) { schedule_ = std::move(schedule); }
  const SchedulePtr& schedule() const { return schedule_; }
  std::int64_t iterations() const { return iterations_; }

  ClipOptions clip;
  // Keras 2.11+ decoupled weight decay of every optimizer: w −= lr·weight_decay·w before the
  // update (0: off; AdamW defaults to 0.004).
  float weight_decay = 0.0f;
  // Keras ≤ 2.10's `decay` (legacy optimizers): lr / (1 + decay·iterations()). 0: off.
  float decay = 0.0f;

 protected:
  explicit Optimizer(float learning_rate);
  // Updates w from g for variable `index` (stable across steps); `lr` is this step's rate and
  // `step` is iterations() + 1 (Keras' 1-based t for bias correction).
  virtual void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) = 0;
  // The per-variable state tensors of variable `index` (n slots shaped like w, filled with
  // `init` on first use; Adagrad starts its accumulator at 0.1). Throws std::invalid_argument
  // when the variable at `index` changed shape since its slots were made.
  std::vector<Tensor>& slots(std::size_t index, const Tensor& w, std::size_t n, float init = 0.0f);

 private:
  float lr_;
  SchedulePtr schedule_;
  std::int64_t iterations_ = 0;
  std::vector<std::vector<Tensor>> slots_;
};

using OptimizerPtr = std::shared_ptr<Optimizer>;

// By Keras name ("adam", "sgd", "rmsprop", ..., any case) with Keras 2.15's defaults. Throws
// std::invalid_argument naming the name and listing the supported ones.
OptimizerPtr get_optimizer(const std::string& name);
// From a Keras optimizer config as in training_config: {"class_name", "config"} or a name
// (accepts both "learning_rate" and the old "lr"; a learning rate that is itself a schedule
// config; Keras 2.11's "Custom>Adam" class names). Throws std::invalid_argument naming the
// optimizer and the key for unknown or unsupported keys.
OptimizerPtr optimizer_from_json(const Json& j);
Json optimizer_to_json(const Optimizer& optimizer);

}  // namespace tessera
