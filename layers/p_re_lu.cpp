#include "layers/p_re_lu.hpp"

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

namespace tessera {

PReLU::PReLU(PReLUOptions options) : Layer(options.name), options_(std::move(options)) {
  for (std::size_t a : options_.shared_axes)
    if (a == 0) fail("shared_axes are 1-based (the batch axis cannot be shared), got 0");
}

LayerPtr PReLU::from_config(const Json& config) {
  PReLUOptions o;
  const Json none;
  const std::string name = config.value("name", "");
  try {
    if (config.contains("alpha_initializer") && !config["alpha_initializer"].is_null())
      o.alpha_initializer = initializer_from_json(config["alpha_initializer"]);
    o.alpha_regularizer = regularizer_from_json(config_value(config, "alpha_regularizer", none));
    o.alpha_constraint = constraint_from_json(config_value(config, "alpha_constraint", none));
  } catch (const std::invalid_argument& e) {
    throw LayerError("PReLU '" + name + "': " + e.what());
  }
  const Json& shared = config_value(config, "shared_axes", none);
  if (shared.is_number_integer()) o.shared_axes = {shared.get<std::size_t>()};
  else if (shared.is_array())
    for (const auto& a : shared) o.shared_axes.push_back(a.get<long>() < 0 ? 0 : a.get<std::size_t>());
  o.name = name;
  auto layer = std::make_shared<PReLU>(o);
  apply_base_config(*layer, config);
  return layer;
}

Shape PReLU::compute_output_shape(const Shape& input_shape) const {
  for (std::size_t a : options_.shared_axes)
    if (a > input_shape.size())
      fail("shared axis " + std::to_string(a) + " is out of range for input shape " +
           batch_shape_str(input_shape));
  return input_shape;
}

void PReLU::build_weights(const Shape& input_shape, Generator& gen) {
  Shape alpha_shape = input_shape;
  for (std::size_t a : options_.shared_axes) alpha_shape[a - 1] = 1;
  add_weight("alpha", alpha_shape, options_.alpha_initializer, gen, options_.alpha_regularizer,
             options_.alpha_constraint);
}

Variable PReLU::call(const Variable& x, bool) {
  const Variable& alpha = weight("alpha");
  Tensor y = xt::where(x.value() > 0.0f, x.value(), alpha.value() * x.value());
  return make_result("prelu", std::move(y), {x, alpha}, [](Node& self) {
    const Tensor& x = self.input(0);
    if (self.input_requires_grad(0))
      self.inputs[0]->accumulate(Tensor(self.grad * xt::where(x > 0.0f, 1.0f, self.input(1))));
    if (self.input_requires_grad(1))
      self.inputs[1]->accumulate(
          reduce_to_shape(self.grad * xt::minimum(x, 0.0f), shape_of(self.input(1))));
  });
}

Json PReLU::get_config() const {
  Json config = Layer::get_config();
  config["alpha_initializer"] = initializer_to_json(options_.alpha_initializer);
  config["alpha_regularizer"] = regularizer_to_json(options_.alpha_regularizer);
  config["alpha_constraint"] = constraint_to_json(options_.alpha_constraint);
  config["shared_axes"] = options_.shared_axes.empty() ? Json(nullptr) : Json(options_.shared_axes);
  return config;
}

}  // namespace tessera
