#include "optim/optimizer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/keras_object.hpp"
#include "optim/nadam.hpp"
#include "optim/optimizer_config.hpp"
#include "optim/rmsprop.hpp"
#include "optim/schedules.hpp"
#include "optim/sgd.hpp"

namespace tessera {

namespace {

double squared_norm(const Tensor& g) {
  double s = 0.0;
  for (float x : g) s += static_cast<double>(x) * x;
  return s;
}

// tf.clip_by_norm: g · c / max(‖g‖, c).
void clip_by_norm(Tensor& g, double c) {
  const double norm = std::sqrt(squared_norm(g));
  if (norm > c) xt::noalias(g) *= static_cast<float>(c / norm);
}

void expect_non_negative(float value, const std::string& what) {
  if (!(value >= 0.0f) || !std::isfinite(value))
    throw std::invalid_argument(what + " must be a finite number >= 0, got " + std::to_string(value));
}

}  // namespace

Optimizer::Optimizer(float learning_rate) : lr_(learning_rate) {
  expect_non_negative(learning_rate, "learning_rate");
}

void Optimizer::apply_gradients(const std::vector<ParamRef>& params) {
  expect_non_negative(clip.clipnorm, class_name() + ": clipnorm");
  expect_non_negative(clip.clipvalue, class_name() + ": clipvalue");
  expect_non_negative(clip.global_clipnorm, class_name() + ": global_clipnorm");
  if (clip.clipnorm > 0.0f && clip.global_clipnorm > 0.0f)
    throw std::invalid_argument(class_name() + ": at most one of clipnorm and global_clipnorm can be set");

  std::vector<std::size_t> live;  // variables with a gradient this step
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!params[i].value) throw std::invalid_argument(class_name() + ": variable " + std::to_string(i) + " is null");
    if (!params[i].grad) continue;
    expect_shape(*params[i].grad, shape_of(*params[i].value),
                 class_name() + ": gradient of variable " + std::to_string(i));
    live.push_back(i);
  }
  if (live.empty()) return;

  // Keras' _clip_gradients: one kind only, clipnorm first, then global_clipnorm, then clipvalue.
  std::vector<Tensor> clipped;
  if (clip.clipnorm > 0.0f || clip.global_clipnorm > 0.0f || clip.clipvalue > 0.0f) {
    for (std::size_t i : live) clipped.push_back(*params[i].grad);
    if (clip.clipnorm > 0.0f) {
      for (Tensor& g : clipped) clip_by_norm(g, clip.clipnorm);
    } else if (clip.global_clipnorm > 0.0f) {
      // tf.clip_by_global_norm: every gradient times c · min(1/‖all‖, 1/c).
      double total = 0.0;
      for (const Tensor& g : clipped) total += squared_norm(g);
      const double norm = std::sqrt(total);
      if (norm > clip.global_clipnorm) {
        const float scale = static_cast<float>(clip.global_clipnorm / norm);
        for (Tensor& g : clipped) xt::noalias(g) *= scale;
      }
    } else {
      for (Tensor& g : clipped) xt::noalias(g) = xt::clip(g, -clip.clipvalue, clip.clipvalue);
    }
  }

  const float lr = learning_rate();
  for (std::size_t k = 0; k < live.size(); ++k) {
    Tensor& w = *params[live[k]].value;
    // Keras 2.11+ _apply_weight_decay, before the update: w −= w·wd·lr.
    if (weight_decay != 0.0f) xt::noalias(w) -= w * (weight_decay * lr);
    update(live[k], w, clipped.empty() ? *params[live[k]].grad : clipped[k], lr, iterations_ + 1);
  }
  ++iterations_;
}

float Optimizer::learning_rate() const {
  double lr = schedule_ ? (*schedule_)(iterations_) : lr_;
  // Legacy OptimizerV2._decayed_lr (and Keras ≤ 2.3): lr / (1 + decay · iterations).
  if (decay > 0.0f) lr /= 1.0 + static_cast<double>(decay) * static_cast<double>(iterations_);
  return static_cast<float>(lr);
}

void Optimizer::set_learning_rate(float lr) {
  expect_non_negative(lr, class_name() + ": learning_rate");
  lr_ = lr;
  schedule_.reset();
}

std::vector<Tensor>& Optimizer::slots(std::size_t index, const Tensor& w, std::size_t n, float init) {
  if (index >= slots_.size()) slots_.resize(index + 1);
  std::vector<Tensor>& s = slots_[index];
  if (s.empty()) {
    s.assign(n, full(shape_of(w), init));
  } else if (s.size() != n || s.front().shape() != w.shape()) {
    throw std::invalid_argument(class_name() + ": variable " + std::to_string(index) + " has shape " +
                                shape_str(w) + " but its optimizer state was made for shape " +
                                shape_str(s.front()) +
                                "; pass the same variables in the same order every step");
  }
  return s;
}

Json Optimizer::get_config() const {
  auto optional = [](float v) { return v != 0.0f ? Json(v) : Json(nullptr); };
  Json c = {{"name", class_name()},
            {"weight_decay", optional(weight_decay)},
            {"clipnorm", optional(clip.clipnorm)},
            {"global_clipnorm", optional(clip.global_clipnorm)},
            {"clipvalue", optional(clip.clipvalue)},
            {"use_ema", false},
            {"ema_momentum", 0.99},
            {"ema_overwrite_frequency", nullptr},
            {"jit_compile", false},
            {"is_legacy_optimizer", decay != 0.0f},
            {"learning_rate", schedule_ ? schedule_to_json(*schedule_) : Json(lr_)}};
  if (decay != 0.0f) c["decay"] = decay;
  return c;
}

// --- reading configs ------------------------------------------------------------------------

OptimizerConfig::OptimizerConfig(std::string class_name, const Json& config)
    : class_name_(std::move(class_name)), config_(config) {
  if (!config_.is_object()) fail("config must be an object, got " + config_.dump());
}

void OptimizerConfig::fail(const std::string& message) const {
  throw std::invalid_argument(class_name_ + " config: " + message);
}

bool OptimizerConfig::has(const std::string& key) const {
  return config_.contains(key) && !config_[key].is_null();
}

float OptimizerConfig::number(const std::string& key, float fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  if (!config_[key].is_number()) fail("'" + key + "' must be a number, got " + config_[key].dump());
  return config_[key].get<float>();
}

bool OptimizerConfig::flag(const std::string& key, bool fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  if (!config_[key].is_boolean()) fail("'" + key + "' must be true or false, got " + config_[key].dump());
  return config_[key].get<bool>();
}

bool OptimizerConfig::legacy() { return flag("is_legacy_optimizer", !config_.empty()); }

Json legacy_config(Json config, float decay) {
  for (const char* key : {"weight_decay", "use_ema", "ema_momentum", "ema_overwrite_frequency",
                          "jit_compile", "is_legacy_optimizer"})
    config.erase(key);
  for (const char* key : {"clipnorm", "global_clipnorm", "clipvalue"})
    if (config.contains(key) && config[key].is_null()) config.erase(key);
  config["decay"] = decay;
  return config;
}

void OptimizerConfig::apply_base(Optimizer& optimizer) {
  for (const char* key : {"name", "ema_momentum", "ema_overwrite_frequency", "jit_compile",
                          "is_legacy_optimizer"})
    read_.insert(key);
  if (flag("use_ema", false)) fail("use_ema (weight averaging) is not supported");
  for (const char* key : {"learning_rate", "lr"}) {
    read_.insert(key);
    if (!has(key)) continue;
    if (config_[key].is_object())
      optimizer.set_schedule(schedule_from_json(config_[key]));
    else
      optimizer.set_learning_rate(number(key, 0.0f));
  }
  if (!read_.contains("decay")) optimizer.decay = number("decay", 0.0f);
  optimizer.clip.clipnorm = number("clipnorm", 0.0f);
  optimizer.clip.clipvalue = number("clipvalue", 0.0f);
  optimizer.clip.global_clipnorm = number("global_clipnorm", 0.0f);
  if (optimizer.clip.clipnorm > 0.0f && optimizer.clip.global_clipnorm > 0.0f)
    fail("at most one of clipnorm and global_clipnorm can be set");
  optimizer.weight_decay = number("weight_decay", optimizer.weight_decay);
  for (const auto& [key, value] : config_.items())
    if (!read_.contains(key)) fail("unknown key '" + key + "'");
}

// --- the factory ------------------------------------------------------------------------------

namespace {

struct Entry {
  const char* class_name;
  OptimizerPtr (*from_config)(const Json&);
};

constexpr Entry kOptimizers[] = {
    {"Adadelta", Adadelta::from_config}, {"Adagrad", Adagrad::from_config},
    {"Adam", Adam::from_config},         {"AdamW", AdamW::from_config},
    {"Adamax", Adamax::from_config},     {"Nadam", Nadam::from_config},
    {"RMSprop", RMSprop::from_config},   {"SGD", SGD::from_config},
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const Entry& find_optimizer(std::string name) {
  // Keras 2.11 saved its new optimizers as "Custom>Adam".
  if (name.starts_with("Custom>")) name = name.substr(7);
  for (const Entry& e : kOptimizers)
    if (lower(e.class_name) == lower(name)) return e;
  std::string supported;
  for (const Entry& e : kOptimizers) supported += (supported.empty() ? "" : ", ") + std::string(e.class_name);
  throw std::invalid_argument("unknown optimizer '" + name + "'; supported: " + supported);
}

}  // namespace

OptimizerPtr get_optimizer(const std::string& name) {
  return find_optimizer(name).from_config(Json::object());
}

OptimizerPtr optimizer_from_json(const Json& j) {
  const KerasObject object = parse_keras_object(j, "optimizer");
  return find_optimizer(object.name).from_config(object.config);
}

Json optimizer_to_json(const Optimizer& optimizer) {
  return {{"class_name", optimizer.class_name()}, {"config", optimizer.get_config()}};
}

}  // namespace tessera
