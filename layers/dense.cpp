#include "layers/dense.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

Dense::Dense(std::size_t units, KernelOptions options)
    : Layer(options.name), units_(units), options_(std::move(options)) {
  if (units_ == 0) fail("units must be positive, got 0");
  try {
    activation_ = make_activation(options_.activation);
  } catch (const std::invalid_argument& e) {
    fail(e.what());  // name the layer, not just the activation
  }
  activity_regularizer = options_.activity_regularizer;
}

LayerPtr Dense::from_config(const Json& config) {
  const long units = config.at("units").get<long>();
  if (units <= 0)
    throw LayerError("Dense '" + config.value("name", "") + "': units must be positive, got " +
                     std::to_string(units));
  auto layer = std::make_shared<Dense>(std::size_t(units), kernel_options_from_json(config));
  apply_base_config(*layer, config);
  return layer;
}

Shape Dense::compute_output_shape(const Shape& input_shape) const {
  if (input_shape.empty()) fail("expected an input of rank ≥ 2 (with batch), got a scalar per sample");
  Shape out = input_shape;
  out.back() = units_;
  return out;
}

void Dense::build_weights(const Shape& input_shape, Generator& gen) {
  add_weight("kernel", {input_shape.back(), units_}, options_.kernel_initializer, gen,
             options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias)
    add_weight("bias", {units_}, options_.bias_initializer, gen, options_.bias_regularizer,
               options_.bias_constraint);
}

Variable Dense::call(const Variable& x, bool) {
  const Shape in = x.shape();
  Variable flat = in.size() == 2 ? x : reshape(x, {-1, long(in.back())});
  Variable y = matmul(flat, weight("kernel"));
  if (options_.use_bias) y = add(y, weight("bias"));
  if (in.size() != 2) {
    std::vector<long> out(in.begin(), in.end());
    out.back() = long(units_);
    y = reshape(y, out);
  }
  return activation_.fn(y);
}

Json Dense::get_config() const {
  Json config = Layer::get_config();
  config["units"] = units_;
  kernel_options_to_json(options_, config);
  return config;
}

}  // namespace tessera
