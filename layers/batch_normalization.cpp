#include "layers/batch_normalization.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

namespace tessera {

namespace {

// Σ over `axes`, keeping them as size-1 axes.
Tensor sum_keep(const Tensor& t, const std::vector<std::size_t>& axes) {
  return xt::sum(t, axes, xt::keep_dims);
}

Tensor reshaped(Tensor t, const Shape& shape) {
  t.reshape(shape);
  return t;
}

}  // namespace

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : Layer(options.name), options_(std::move(options)) {
  if (options_.axis.empty()) fail("axis must name at least one axis");
  if (!(options_.epsilon > 0.0f)) fail("epsilon must be positive, got " + std::to_string(options_.epsilon));
}

LayerPtr BatchNormalization::from_config(const Json& config) {
  BatchNormalizationOptions o;
  const Json none;
  const std::string name = config.value("name", "");
  auto error = [&](const std::string& what) { return LayerError("BatchNormalization '" + name + "': " + what); };
  // Options of tf.keras' BatchNormalization that tessera does not compute.
  if (config_value(config, "renorm", false).get<bool>()) throw error("renorm is not supported");
  if (!config_value(config, "virtual_batch_size", none).is_null())
    throw error("virtual_batch_size is not supported");
  const Json& axis = config_value(config, "axis", -1);
  if (axis.is_number_integer()) o.axis = {axis.get<int>()};
  else if (axis.is_array()) o.axis = axis.get<std::vector<int>>();
  else throw error("axis must be an integer or a list of integers, got " + axis.dump());
  o.momentum = config_value(config, "momentum", o.momentum).get<float>();
  o.epsilon = config_value(config, "epsilon", o.epsilon).get<float>();
  o.center = config_value(config, "center", true).get<bool>();
  o.scale = config_value(config, "scale", true).get<bool>();
  try {
    auto init = [&](const char* key, InitializerPtr& target) {
      if (!config_value(config, key, none).is_null()) target = initializer_from_json(config[key]);
    };
    init("beta_initializer", o.beta_initializer);
    init("gamma_initializer", o.gamma_initializer);
    init("moving_mean_initializer", o.moving_mean_initializer);
    init("moving_variance_initializer", o.moving_variance_initializer);
    o.beta_regularizer = regularizer_from_json(config_value(config, "beta_regularizer", none));
    o.gamma_regularizer = regularizer_from_json(config_value(config, "gamma_regularizer", none));
    o.beta_constraint = constraint_from_json(config_value(config, "beta_constraint", none));
    o.gamma_constraint = constraint_from_json(config_value(config, "gamma_constraint", none));
  } catch (const std::invalid_argument& e) {
    throw error(e.what());
  }
  o.name = name;
  auto layer = std::make_shared<BatchNormalization>(o);
  apply_base_config(*layer, config);
  return layer;
}

std::vector<std::size_t> BatchNormalization::feature_axes(const Shape& input_shape) const {
  const int rank = int(input_shape.size()) + 1;
  std::vector<std::size_t> axes;
  for (int a : options_.axis) {
    const int resolved = a < 0 ? a + rank : a;
    if (resolved <= 0 || resolved >= rank)
      fail("axis " + std::to_string(a) + " is out of range (or the batch axis) for input shape " +
           batch_shape_str(input_shape));
    if (std::find(axes.begin(), axes.end(), std::size_t(resolved)) != axes.end())
      fail("axis " + std::to_string(a) + " is listed twice");
    axes.push_back(std::size_t(resolved));
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

Shape BatchNormalization::compute_output_shape(const Shape& input_shape) const {
  feature_axes(input_shape);
  return input_shape;
}

void BatchNormalization::build_weights(const Shape& input_shape, Generator& gen) {
  const auto axes = feature_axes(input_shape);
  Shape param_shape;
  if (axes.size() == 1) {
    param_shape = {input_shape[axes[0] - 1]};
  } else {
    param_shape.assign(input_shape.size() + 1, 1);
    for (std::size_t a : axes) param_shape[a] = input_shape[a - 1];
  }
  const auto& o = options_;
  if (o.scale)
    add_weight("gamma", param_shape, o.gamma_initializer, gen, o.gamma_regularizer, o.gamma_constraint);
  if (o.center)
    add_weight("beta", param_shape, o.beta_initializer, gen, o.beta_regularizer, o.beta_constraint);
  add_weight("moving_mean", param_shape, o.moving_mean_initializer, gen, nullptr, nullptr, false);
  add_weight("moving_variance", param_shape, o.moving_variance_initializer, gen, nullptr, nullptr,
             false);
}

Variable BatchNormalization::call(const Variable& x, bool training) {
  const Shape in = x.shape();
  const auto features = feature_axes(Shape(in.begin() + 1, in.end()));
  std::vector<std::size_t> reduce;
  Shape bshape = in;  // the parameters' broadcast shape: 1 on every reduced axis
  for (std::size_t a = 0; a < in.size(); ++a)
    if (!std::binary_search(features.begin(), features.end(), a)) {
      reduce.push_back(a);
      bshape[a] = 1;
    }
  const Shape param_shape = weight("moving_mean").shape();
  const Tensor gamma = options_.scale ? reshaped(weight("gamma").value(), bshape) : full(bshape, 1.0f);
  const Tensor beta = options_.center ? reshaped(weight("beta").value(), bshape) : zeros(bshape);

  // A frozen layer normalizes with its moving statistics even in training (tf.keras 2).
  const bool batch_stats = training && trainable;
  const float n = float(x.size() / shape_size(bshape));
  Tensor mean, var;
  if (batch_stats) {
    mean = sum_keep(x.value(), reduce) / n;
    var = sum_keep(xt::square(x.value() - mean), reduce) / n;  // biased, for normalizing
  } else {
    mean = reshaped(weight("moving_mean").value(), bshape);
    var = reshaped(weight("moving_variance").value(), bshape);
  }
  const Tensor inv_std = 1.0f / xt::sqrt(var + options_.epsilon);
  Tensor xhat = (x.value() - mean) * inv_std;
  Tensor y = xhat * gamma + beta;

  if (batch_stats) {
    // Keras' assign_moving_average: m ← m − (m − batch)·(1 − momentum).
    // The moving variance takes the *biased* batch variance, as tf.keras 2.x
    // (keras/layers/normalization/batch_normalization.py): its non-fused path updates with
    // tf.nn.moments' variance, and its fused path removes the Bessel correction that TF's
    // fused_batch_norm applies ("_maybe_add_or_remove_bessels_correction(variance, remove=True)",
    // "to be consistent with non-fused batch norm"). Multi-backend Keras 2.1–2.3
    // (keras/layers/normalization.py) instead used variance · n/(n − (1 + epsilon)) ("sample
    // variance - unbiased estimator of population variance"), so moving variances trained there
    // differ by that factor.
    const float decay = 1.0f - options_.momentum;
    Tensor& mm = weight("moving_mean").value();
    Tensor& mv = weight("moving_variance").value();
    mm -= (mm - reshaped(mean, param_shape)) * decay;
    mv -= (mv - reshaped(var, param_shape)) * decay;
  }

  std::vector<Variable> inputs = {x};
  if (options_.scale) inputs.push_back(weight("gamma"));
  if (options_.center) inputs.push_back(weight("beta"));
  const bool has_gamma = options_.scale, has_beta = options_.center;
  return make_result(
      "batch_normalization", std::move(y), inputs,
      [xhat = std::move(xhat), inv_std, gamma, reduce, n, batch_stats, has_gamma, has_beta,
       param_shape](Node& self) {
        const Tensor& g = self.grad;
        if (self.input_requires_grad(0)) {
          Tensor dxhat = g * gamma;
          if (batch_stats) {
            // The batch statistics depend on x: subtract the mean gradient and its projection on xhat.
            const Tensor mean_d = sum_keep(dxhat, reduce) / n;
            const Tensor mean_dx = sum_keep(dxhat * xhat, reduce) / n;
            self.inputs[0]->accumulate(Tensor(inv_std * (dxhat - mean_d - xhat * mean_dx)));
          } else {
            self.inputs[0]->accumulate(Tensor(dxhat * inv_std));
          }
        }
        std::size_t next = 1;
        if (has_gamma) {
          if (self.input_requires_grad(next))
            self.inputs[next]->accumulate(reshaped(sum_keep(g * xhat, reduce), param_shape));
          ++next;
        }
        if (has_beta && self.input_requires_grad(next))
          self.inputs[next]->accumulate(reshaped(sum_keep(g, reduce), param_shape));
      });
}

Json BatchNormalization::get_config() const {
  Json config = Layer::get_config();
  const auto& o = options_;
  config["axis"] = o.axis.size() == 1 ? Json(o.axis[0]) : Json(o.axis);
  config["momentum"] = o.momentum;
  config["epsilon"] = o.epsilon;
  config["center"] = o.center;
  config["scale"] = o.scale;
  config["beta_initializer"] = initializer_to_json(o.beta_initializer);
  config["gamma_initializer"] = initializer_to_json(o.gamma_initializer);
  config["moving_mean_initializer"] = initializer_to_json(o.moving_mean_initializer);
  config["moving_variance_initializer"] = initializer_to_json(o.moving_variance_initializer);
  config["beta_regularizer"] = regularizer_to_json(o.beta_regularizer);
  config["gamma_regularizer"] = regularizer_to_json(o.gamma_regularizer);
  config["beta_constraint"] = constraint_to_json(o.beta_constraint);
  config["gamma_constraint"] = constraint_to_json(o.gamma_constraint);
  return config;
}

}  // namespace tessera
