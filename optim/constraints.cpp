#include "optim/constraints.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xreducer.hpp>

#include "optim/keras_object.hpp"

namespace tessera {

namespace {

// sqrt(Σ w² over `axes`), kept as size-1 axes so it broadcasts against w.
Tensor norms(const Tensor& w, const std::vector<int>& axes) {
  std::vector<std::size_t> resolved;
  for (int a : axes) resolved.push_back(normalize_axis(a, w.dimension()));
  std::sort(resolved.begin(), resolved.end());
  resolved.erase(std::unique(resolved.begin(), resolved.end()), resolved.end());
  return xt::sqrt(xt::sum(w * w, resolved, xt::keep_dims));
}

Json axis_json(const std::vector<int>& axis) {
  return axis.size() == 1 ? Json(axis[0]) : Json(axis);
}

// min_max_norm with Keras' other constraints as special cases:
// max_norm = (0, m, rate 1), unit_norm = (1, 1, rate 1).
class NormConstraint : public Constraint {
 public:
  NormConstraint(std::string class_name, float lo, float hi, float rate, std::vector<int> axis)
      : class_name_(std::move(class_name)), lo_(lo), hi_(hi), rate_(rate), axis_(std::move(axis)) {
    if (axis_.empty()) throw std::invalid_argument(class_name_ + ": axis must not be empty");
  }
  void apply(Tensor& w) const override {
    const Tensor n = norms(w, axis_);
    Tensor desired = rate_ * xt::clip(n, lo_, hi_) + (1.0f - rate_) * n;
    xt::noalias(w) *= desired / (kKerasEpsilon + n);
  }
  std::string class_name() const override { return class_name_; }
  Json config() const override {
    if (class_name_ == "MaxNorm") return {{"max_value", hi_}, {"axis", axis_json(axis_)}};
    if (class_name_ == "UnitNorm") return {{"axis", axis_json(axis_)}};
    return {{"min_value", lo_}, {"max_value", hi_}, {"rate", rate_}, {"axis", axis_json(axis_)}};
  }

 private:
  std::string class_name_;
  float lo_, hi_, rate_;
  std::vector<int> axis_;
};

class NonNeg : public Constraint {
 public:
  void apply(Tensor& w) const override { w = xt::maximum(w, 0.0f); }
  std::string class_name() const override { return "NonNeg"; }
  Json config() const override { return Json::object(); }
};

std::vector<int> axis_from(const Json& config) {
  auto it = config.find("axis");
  if (it == config.end() || it->is_null()) return {0};
  if (it->is_number_integer()) return {it->get<int>()};
  return it->get<std::vector<int>>();
}

}  // namespace

ConstraintPtr max_norm_constraint(float max_value, std::vector<int> axis) {
  return std::make_shared<NormConstraint>("MaxNorm", 0.0f, max_value, 1.0f, std::move(axis));
}
ConstraintPtr non_neg_constraint() { return std::make_shared<NonNeg>(); }
ConstraintPtr unit_norm_constraint(std::vector<int> axis) {
  return std::make_shared<NormConstraint>("UnitNorm", 1.0f, 1.0f, 1.0f, std::move(axis));
}
ConstraintPtr min_max_norm_constraint(float min_value, float max_value, float rate,
                                      std::vector<int> axis) {
  return std::make_shared<NormConstraint>("MinMaxNorm", min_value, max_value, rate, std::move(axis));
}

ConstraintPtr constraint_from_json(const Json& j) {
  if (j.is_null()) return nullptr;
  const auto [name, config] = parse_keras_object(j, "constraint");
  if (name == "max_norm" || name == "maxnorm" || name == "MaxNorm")
    return max_norm_constraint(config_number(config, "max_value", 2.0f), axis_from(config));
  if (name == "non_neg" || name == "nonneg" || name == "NonNeg") return non_neg_constraint();
  if (name == "unit_norm" || name == "unitnorm" || name == "UnitNorm")
    return unit_norm_constraint(axis_from(config));
  if (name == "min_max_norm" || name == "MinMaxNorm")
    return min_max_norm_constraint(config_number(config, "min_value", 0.0f),
                                   config_number(config, "max_value", 1.0f),
                                   config_number(config, "rate", 1.0f), axis_from(config));
  throw std::invalid_argument("unknown constraint '" + name +
                              "'; supported: max_norm, non_neg, unit_norm, min_max_norm");
}

Json constraint_to_json(const ConstraintPtr& c) {
  if (!c) return nullptr;
  return Json{{"class_name", c->class_name()}, {"config", c->config()}};
}

}  // namespace tessera
