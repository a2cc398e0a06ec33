#include "optim/regularizers.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"
#include "optim/keras_object.hpp"

namespace tessera {

namespace {

// a·Σ|w| + b·Σw², the only form Keras' L1, L2 and L1L2 take.
class L1L2 : public Regularizer {
 public:
  L1L2(float l1, float l2, std::string class_name)
      : l1_(l1), l2_(l2), class_name_(std::move(class_name)) {
    if (l1 < 0.0f || l2 < 0.0f)
      throw std::invalid_argument(class_name_ + " regularizer: factors must be non-negative");
  }
  Variable operator()(const Variable& w) const override {
    Variable total(zeros({}));
    if (l1_ != 0.0f) total = add(total, scale(sum(abs(w)), l1_));
    if (l2_ != 0.0f) total = add(total, scale(sum(square(w)), l2_));
    return total;
  }
  std::string class_name() const override { return class_name_; }
  Json config() const override {
    if (class_name_ == "L1") return {{"l1", l1_}};
    if (class_name_ == "L2") return {{"l2", l2_}};
    return {{"l1", l1_}, {"l2", l2_}};
  }

 private:
  float l1_, l2_;
  std::string class_name_;
};

float factor(const Json& config, const char* key, float fallback) {
  auto it = config.find(key);
  return it == config.end() || it->is_null() ? fallback : it->get<float>();
}

}  // namespace

RegularizerPtr l1_regularizer(float l1) { return std::make_shared<L1L2>(l1, 0.0f, "L1"); }
RegularizerPtr l2_regularizer(float l2) { return std::make_shared<L1L2>(0.0f, l2, "L2"); }
RegularizerPtr l1_l2_regularizer(float l1, float l2) {
  return std::make_shared<L1L2>(l1, l2, "L1L2");
}

RegularizerPtr regularizer_from_json(const Json& j) {
  if (j.is_null()) return nullptr;
  const auto [name, config] = parse_keras_object(j, "regularizer");
  if (name == "l1" || name == "L1") return l1_regularizer(factor(config, "l1", 0.01f));
  if (name == "l2" || name == "L2") return l2_regularizer(factor(config, "l2", 0.01f));
  // Keras' L1L2 class defaults to 0 for both; the "l1_l2" shortcut to 0.01 for both.
  if (name == "l1_l2") return l1_l2_regularizer(factor(config, "l1", 0.01f), factor(config, "l2", 0.01f));
  if (name == "L1L2") return l1_l2_regularizer(factor(config, "l1", 0.0f), factor(config, "l2", 0.0f));
  throw std::invalid_argument("unknown regularizer '" + name + "'; supported: l1, l2, l1_l2");
}

Json regularizer_to_json(const RegularizerPtr& r) {
  if (!r) return nullptr;
  return Json{{"class_name", r->class_name()}, {"config", r->config()}};
}

}  // namespace tessera
