// Keras' learning-rate schedules (keras.optimizers.schedules), evaluated at the optimizer's
// iteration count before each step (step 0 for the first).
//   ExponentialDecay:       lr0 · rate^(step / decay_steps), the exponent floored if staircase.
//   PiecewiseConstantDecay: values[0] while step ≤ boundaries[0], values[i] while
//                           boundaries[i−1] < step ≤ boundaries[i], values.back() after.
//   CosineDecay:            lr0 · ((1 − α)·½(1 + cos(π·min(step, decay_steps)/decay_steps)) + α);
//                           with warmup_target, first a linear ramp lr0 → warmup_target over
//                           warmup_steps, then the cosine from warmup_target.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "optim/optimizer.hpp"

namespace tessera {

SchedulePtr exponential_decay(float initial_learning_rate, double decay_steps, float decay_rate,
                              bool staircase = false);
// boundaries.size() + 1 == values.size(), else std::invalid_argument. Like Keras, boundaries
// are compared with the integer step after truncation to integers.
SchedulePtr piecewise_constant_decay(std::vector<double> boundaries, std::vector<float> values);
SchedulePtr cosine_decay(float initial_learning_rate, double decay_steps, float alpha = 0.0f,
                         std::optional<float> warmup_target = std::nullopt,
                         std::int64_t warmup_steps = 0);

// {"class_name", "config"} (Keras 2.13+ adds "module" and "registered_name"). Throws
// std::invalid_argument naming an unknown schedule and listing the supported ones.
SchedulePtr schedule_from_json(const Json& j);
Json schedule_to_json(const LearningRateSchedule& schedule);

}  // namespace tessera
