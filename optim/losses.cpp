#include "optim/losses.hpp"

#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "core/activations.hpp"
#include "core/ops.hpp"
#include "optim/keras_object.hpp"

namespace tessera {

namespace {

using PerSample = std::function<Variable(const Variable&, const Variable&)>;

class KerasLoss : public Loss {
 public:
  KerasLoss(std::string name, std::string class_name, Json config, PerSample fn)
      : name_(std::move(name)), class_name_(std::move(class_name)), config_(std::move(config)),
        fn_(std::move(fn)) {}
  Variable per_sample(const Variable& y_true, const Variable& y_pred) const override {
    return fn_(y_true, y_pred);
  }
  std::string name() const override { return name_; }
  std::string class_name() const override { return class_name_; }
  Json get_config() const override {
    Json c = config_;
    c["name"] = name_;
    c["reduction"] = "auto";
    return c;
  }

 private:
  std::string name_, class_name_;
  Json config_;
  PerSample fn_;
};

void check_same_shape(const char* loss, const Variable& y_true, const Variable& y_pred) {
  if (y_true.shape() != y_pred.shape())
    throw ShapeError(std::string(loss) + ": targets of shape " + shape_str(y_true.shape()) +
                     " do not match predictions of shape " + shape_str(y_pred.shape()));
}

// The pre-activation of a sigmoid/softmax output, when y_pred is one (see Node::logits).
const NodePtr* logits_of(const Variable& y_pred, const char* op) {
  const auto& node = y_pred.node();
  return node->op == op && node->logits ? &node->logits : nullptr;
}

Variable last_axis_mean(const Variable& v) { return mean(v, {-1}); }

Variable smooth(const Variable& y_true, float label_smoothing, float classes) {
  if (label_smoothing == 0.0f) return y_true;
  return shift(scale(y_true, 1.0f - label_smoothing), label_smoothing / classes);
}

Variable binary_crossentropy_fn(const Variable& t, const Variable& p, bool from_logits, float ls) {
  check_same_shape("binary_crossentropy", t, p);
  const Variable y = smooth(t, ls, 2.0f);
  const NodePtr* fused = from_logits ? nullptr : logits_of(p, "sigmoid");
  if (from_logits || fused) {
    // max(x, 0) − x·z + log(1 + exp(−|x|)), TensorFlow's sigmoid_cross_entropy_with_logits.
    const Variable x = fused ? Variable(*fused) : p;
    return last_axis_mean(sub(add(relu(x), softplus(neg(abs(x)))), mul(x, y)));
  }
  const Variable q = clip(p, kKerasEpsilon, 1.0f - kKerasEpsilon);
  const Variable bce = add(mul(y, log(shift(q, kKerasEpsilon))),
                           mul(shift(neg(y), 1.0f), log(shift(neg(q), 1.0f + kKerasEpsilon))));
  return last_axis_mean(neg(bce));
}

// −Σ y·log p over the last axis, from logits when possible.
Variable categorical_from(const Variable& y, const Variable& p, bool from_logits) {
  const NodePtr* fused = from_logits ? nullptr : logits_of(p, "softmax");
  if (from_logits || fused) {
    const Variable logits = fused ? Variable(*fused) : p;
    return neg(sum(mul(y, log_softmax(logits)), {-1}));
  }
  // Keras renormalises, then clips.
  const Variable q = clip(div(p, sum(p, {-1}, true)), kKerasEpsilon, 1.0f - kKerasEpsilon);
  return neg(sum(mul(y, log(q)), {-1}));
}

Tensor one_hot(const Tensor& labels, std::size_t classes, const Shape& pred_shape) {
  Tensor t = zeros(pred_shape);
  const std::size_t rows = t.size() / classes;
  if (labels.size() != rows)
    throw ShapeError("sparse_categorical_crossentropy: " + std::to_string(labels.size()) +
                     " labels for predictions of shape " + shape_str(pred_shape));
  for (std::size_t i = 0; i < rows; ++i) {
    const float label = labels.data()[i];
    if (!(label >= 0.0f) || label >= float(classes) || label != std::floor(label))
      throw std::invalid_argument("sparse_categorical_crossentropy: label " + std::to_string(label) +
                                  " is not a class index in [0, " + std::to_string(classes) + ")");
    t.data()[i * classes + std::size_t(label)] = 1.0f;
  }
  return t;
}

Variable huber_fn(const Variable& t, const Variable& p, float delta) {
  check_same_shape("huber", t, p);
  const Tensor e = xt::abs(p.value() - t.value());
  const Variable err = abs(sub(p, t));
  // Quadratic inside delta, linear outside; the mask is a constant of the step.
  const Variable inside(xt::cast<float>(e <= delta));
  const Variable quad = scale(square(err), 0.5f);
  const Variable lin = scale(shift(err, -0.5f * delta), delta);
  return last_axis_mean(add(mul(inside, quad), mul(shift(neg(inside), 1.0f), lin)));
}

const std::map<std::string, std::function<LossPtr(const Json&)>>& table() {
  static const std::map<std::string, std::function<LossPtr(const Json&)>> t = [] {
    std::map<std::string, std::function<LossPtr(const Json&)>> m;
    auto add = [&](std::initializer_list<const char*> names, std::function<LossPtr(const Json&)> f) {
      for (const char* n : names) m[n] = f;
    };
    auto flag = [](const Json& c, const char* k) { return c.value(k, false); };
    auto number = [](const Json& c, const char* k, float d) { return c.value(k, d); };
    add({"mean_squared_error", "mse", "MeanSquaredError"}, [](const Json&) { return mean_squared_error(); });
    add({"mean_absolute_error", "mae", "MeanAbsoluteError"}, [](const Json&) { return mean_absolute_error(); });
    add({"binary_crossentropy", "BinaryCrossentropy"}, [=](const Json& c) {
      return binary_crossentropy(flag(c, "from_logits"), number(c, "label_smoothing", 0.0f));
    });
    add({"categorical_crossentropy", "CategoricalCrossentropy"}, [=](const Json& c) {
      return categorical_crossentropy(flag(c, "from_logits"), number(c, "label_smoothing", 0.0f));
    });
    add({"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
        [=](const Json& c) { return sparse_categorical_crossentropy(flag(c, "from_logits")); });
    add({"huber", "huber_loss", "Huber"}, [=](const Json& c) { return huber(number(c, "delta", 1.0f)); });
    add({"hinge", "Hinge"}, [](const Json&) { return hinge(); });
    add({"kl_divergence", "kullback_leibler_divergence", "kld", "KLDivergence"},
        [](const Json&) { return kl_divergence(); });
    return m;
  }();
  return t;
}

}  // namespace

Variable Loss::operator()(const Variable& y_true, const Variable& y_pred) const {
  return mean(per_sample(y_true, y_pred));
}

Json Loss::get_config() const { return Json{{"name", name()}, {"reduction", "auto"}}; }

LossPtr mean_squared_error() {
  return std::make_shared<KerasLoss>("mean_squared_error", "MeanSquaredError", Json::object(),
                                     [](const Variable& t, const Variable& p) {
                                       check_same_shape("mean_squared_error", t, p);
                                       return last_axis_mean(square(sub(p, t)));
                                     });
}

LossPtr mean_absolute_error() {
  return std::make_shared<KerasLoss>("mean_absolute_error", "MeanAbsoluteError", Json::object(),
                                     [](const Variable& t, const Variable& p) {
                                       check_same_shape("mean_absolute_error", t, p);
                                       return last_axis_mean(abs(sub(p, t)));
                                     });
}

LossPtr binary_crossentropy(bool from_logits, float label_smoothing) {
  return std::make_shared<KerasLoss>(
      "binary_crossentropy", "BinaryCrossentropy",
      Json{{"from_logits", from_logits}, {"label_smoothing", label_smoothing}, {"axis", -1}},
      [=](const Variable& t, const Variable& p) {
        return binary_crossentropy_fn(t, p, from_logits, label_smoothing);
      });
}

LossPtr categorical_crossentropy(bool from_logits, float label_smoothing) {
  return std::make_shared<KerasLoss>(
      "categorical_crossentropy", "CategoricalCrossentropy",
      Json{{"from_logits", from_logits}, {"label_smoothing", label_smoothing}, {"axis", -1}},
      [=](const Variable& t, const Variable& p) {
        check_same_shape("categorical_crossentropy", t, p);
        const float classes = float(p.shape().back());
        return categorical_from(smooth(t, label_smoothing, classes), p, from_logits);
      });
}

LossPtr sparse_categorical_crossentropy(bool from_logits) {
  return std::make_shared<KerasLoss>(
      "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
      Json{{"from_logits", from_logits}, {"ignore_class", nullptr}},
      [=](const Variable& t, const Variable& p) {
        const Variable y(one_hot(t.value(), p.shape().back(), p.shape()));
        return categorical_from(y, p, from_logits);
      });
}

LossPtr huber(float delta) {
  return std::make_shared<KerasLoss>("huber_loss", "Huber", Json{{"delta", delta}},
                                     [=](const Variable& t, const Variable& p) { return huber_fn(t, p, delta); });
}

LossPtr hinge() {
  return std::make_shared<KerasLoss>("hinge", "Hinge", Json::object(), [](const Variable& t, const Variable& p) {
    check_same_shape("hinge", t, p);
    // Keras turns 0/1 labels into −1/1.
    const Tensor& v = t.value();
    const bool binary = xt::all(xt::equal(v, 0.0f) || xt::equal(v, 1.0f));
    const Variable y = binary ? Variable(Tensor(2.0f * v - 1.0f)) : t;
    return last_axis_mean(relu(shift(neg(mul(y, p)), 1.0f)));
  });
}

LossPtr kl_divergence() {
  return std::make_shared<KerasLoss>("kl_divergence", "KLDivergence", Json::object(),
                                     [](const Variable& t, const Variable& p) {
                                       check_same_shape("kl_divergence", t, p);
                                       const Variable y = clip(t, kKerasEpsilon, 1.0f);
                                       const Variable q = clip(p, kKerasEpsilon, 1.0f);
                                       return sum(mul(y, log(div(y, q))), {-1});
                                     });
}

LossPtr get_loss(const std::string& name) { return loss_from_json(Json(name)); }

LossPtr loss_from_json(const Json& j) {
  const auto [name, config] = parse_keras_object(j, "loss");
  // tessera's losses average over the batch (Keras' "auto" = sum_over_batch_size); a loss
  // configured to sum or not reduce would train differently.
  const Json reduction = config.value("reduction", Json());
  if (!reduction.is_null() && reduction != "auto" && reduction != "sum_over_batch_size")
    throw std::invalid_argument("loss '" + name + "': reduction " + reduction.dump() +
                                " is not supported (only \"auto\" and \"sum_over_batch_size\")");
  auto it = table().find(name);
  if (it == table().end()) {
    std::string list;
    for (const auto& [n, f] : table())
      if (std::islower((unsigned char)n[0])) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown loss '" + name + "'; supported: " + list);
  }
  return it->second(config);
}

}  // namespace tessera
