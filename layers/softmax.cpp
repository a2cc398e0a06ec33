#include "layers/softmax.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

Softmax::Softmax(int axis, std::string name) : Layer(std::move(name)), axis_(axis) {}

LayerPtr Softmax::from_config(const Json& config) {
  const std::string name = config.value("name", "");
  Json axis = config_value(config, "axis", -1);
  // tf.keras also allows a list of axes; one axis is what tessera computes.
  if (axis.is_array() && axis.size() == 1) axis = axis[0];
  if (!axis.is_number_integer())
    throw LayerError("Softmax '" + name + "': axis must be one integer, got " + axis.dump());
  auto layer = std::make_shared<Softmax>(axis.get<int>(), name);
  apply_base_config(*layer, config);
  return layer;
}

Shape Softmax::compute_output_shape(const Shape& input_shape) const {
  const int rank = int(input_shape.size()) + 1;
  if (axis_ < -rank || axis_ >= rank)
    fail("axis " + std::to_string(axis_) + " is out of range for input shape " +
         batch_shape_str(input_shape));
  return input_shape;
}

Variable Softmax::call(const Variable& x, bool) { return softmax(x, axis_); }

Json Softmax::get_config() const {
  Json config = Layer::get_config();
  config["axis"] = axis_;
  return config;
}

}  // namespace tessera
