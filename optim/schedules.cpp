#include "optim/schedules.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace tessera {

namespace {

void expect_positive_steps(double decay_steps, const std::string& schedule) {
  if (!(decay_steps > 0.0))
    throw std::invalid_argument(schedule + ": decay_steps must be > 0, got " +
                                std::to_string(decay_steps));
}

// keras.optimizers.schedules.ExponentialDecay.__call__: p = step / decay_steps, floored when
// staircase; initial_learning_rate · decay_rate^p.
class ExponentialDecay : public LearningRateSchedule {
 public:
  ExponentialDecay(float initial, double decay_steps, float rate, bool staircase)
      : initial_(initial), decay_steps_(decay_steps), rate_(rate), staircase_(staircase) {
    expect_positive_steps(decay_steps, "ExponentialDecay");
  }
  float operator()(std::int64_t step) const override {
    double p = static_cast<double>(step) / decay_steps_;
    if (staircase_) p = std::floor(p);
    return static_cast<float>(initial_ * std::pow(static_cast<double>(rate_), p));
  }
  std::string class_name() const override { return "ExponentialDecay"; }
  Json config() const override {
    return {{"initial_learning_rate", initial_}, {"decay_steps", decay_steps_},
            {"decay_rate", rate_}, {"staircase", staircase_}, {"name", nullptr}};
  }

 private:
  float initial_;
  double decay_steps_;
  float rate_;
  bool staircase_;
};

// keras.optimizers.schedules.PiecewiseConstantDecay.__call__: the step is Keras' int64
// iteration count and the boundaries are cast to its type before `step <= boundary`.
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  PiecewiseConstantDecay(std::vector<double> boundaries, std::vector<float> values)
      : boundaries_(std::move(boundaries)), values_(std::move(values)) {
    if (boundaries_.size() + 1 != values_.size())
      throw std::invalid_argument(
          "PiecewiseConstantDecay: values must have one more element than boundaries, got " +
          std::to_string(boundaries_.size()) + " boundaries and " +
          std::to_string(values_.size()) + " values");
  }
  float operator()(std::int64_t step) const override {
    for (std::size_t i = 0; i < boundaries_.size(); ++i)
      if (step <= static_cast<std::int64_t>(boundaries_[i])) return values_[i];
    return values_.back();
  }
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  Json config() const override {
    return {{"boundaries", boundaries_}, {"values", values_}, {"name", nullptr}};
  }

 private:
  std::vector<double> boundaries_;
  std::vector<float> values_;
};

// keras.optimizers.schedules.CosineDecay.__call__ (with the warmup Keras 2.12 added).
class CosineDecay : public LearningRateSchedule {
 public:
  CosineDecay(float initial, double decay_steps, float alpha, std::optional<float> warmup_target,
              std::int64_t warmup_steps)
      : initial_(initial), decay_steps_(decay_steps), alpha_(alpha),
        warmup_target_(warmup_target), warmup_steps_(warmup_steps) {
    expect_positive_steps(decay_steps, "CosineDecay");
    if (warmup_target && warmup_steps <= 0)
      throw std::invalid_argument("CosineDecay: warmup_steps must be > 0 with a warmup_target");
  }
  float operator()(std::int64_t step) const override {
    const double s = static_cast<double>(step);
    if (!warmup_target_) return static_cast<float>(decayed(std::min(s, decay_steps_), initial_));
    const double warmup = static_cast<double>(warmup_steps_);
    const double clamped = std::min(s, decay_steps_ + warmup);
    if (clamped < warmup)
      return static_cast<float>((*warmup_target_ - static_cast<double>(initial_)) *
                                    (clamped / warmup) + initial_);
    return static_cast<float>(decayed(clamped - warmup, *warmup_target_));
  }
  std::string class_name() const override { return "CosineDecay"; }
  Json config() const override {
    return {{"initial_learning_rate", initial_},
            {"decay_steps", decay_steps_},
            {"alpha", alpha_},
            {"name", nullptr},
            {"warmup_target", warmup_target_ ? Json(*warmup_target_) : Json(nullptr)},
            {"warmup_steps", warmup_steps_}};
  }

 private:
  double decayed(double step, double from) const {
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * step / decay_steps_));
    return from * ((1.0 - alpha_) * cosine + alpha_);
  }
  float initial_;
  double decay_steps_;
  float alpha_;
  std::optional<float> warmup_target_;
  std::int64_t warmup_steps_;
};

const Json& required(const Json& config, const char* key, const std::string& schedule) {
  if (!config.contains(key) || config[key].is_null())
    throw std::invalid_argument(schedule + " config: missing '" + key + "'");
  return config[key];
}

template <class T>
T optional_value(const Json& config, const char* key, T fallback) {
  return config.contains(key) && !config[key].is_null() ? config[key].get<T>() : fallback;
}

}  // namespace

SchedulePtr exponential_decay(float initial_learning_rate, double decay_steps, float decay_rate,
                              bool staircase) {
  return std::make_shared<ExponentialDecay>(initial_learning_rate, decay_steps, decay_rate,
                                            staircase);
}

SchedulePtr piecewise_constant_decay(std::vector<double> boundaries, std::vector<float> values) {
  return std::make_shared<PiecewiseConstantDecay>(std::move(boundaries), std::move(values));
}

SchedulePtr cosine_decay(float initial_learning_rate, double decay_steps, float alpha,
                         std::optional<float> warmup_target, std::int64_t warmup_steps) {
  return std::make_shared<CosineDecay>(initial_learning_rate, decay_steps, alpha, warmup_target,
                                       warmup_steps);
}

SchedulePtr schedule_from_json(const Json& j) {
  if (!j.is_object() || !j.contains("class_name") || !j["class_name"].is_string())
    throw std::invalid_argument("learning rate schedule must be {\"class_name\", \"config\"}, got " +
                                j.dump());
  const std::string name = j["class_name"].get<std::string>();
  const Json config = j.contains("config") ? j["config"] : Json::object();
  if (name == "ExponentialDecay")
    return exponential_decay(required(config, "initial_learning_rate", name).get<float>(),
                             required(config, "decay_steps", name).get<double>(),
                             required(config, "decay_rate", name).get<float>(),
                             optional_value(config, "staircase", false));
  if (name == "PiecewiseConstantDecay")
    return piecewise_constant_decay(required(config, "boundaries", name).get<std::vector<double>>(),
                                    required(config, "values", name).get<std::vector<float>>());
  if (name == "CosineDecay") {
    std::optional<float> target;
    if (config.contains("warmup_target") && !config["warmup_target"].is_null())
      target = config["warmup_target"].get<float>();
    return cosine_decay(required(config, "initial_learning_rate", name).get<float>(),
                        required(config, "decay_steps", name).get<double>(),
                        optional_value(config, "alpha", 0.0f), target,
                        optional_value<std::int64_t>(config, "warmup_steps", 0));
  }
  throw std::invalid_argument("unknown learning rate schedule '" + name +
                              "'; supported: CosineDecay, ExponentialDecay, PiecewiseConstantDecay");
}

Json schedule_to_json(const LearningRateSchedule& schedule) {
  return {{"class_name", schedule.class_name()}, {"config", schedule.config()}};
}

}  // namespace tessera
