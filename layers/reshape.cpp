#include "layers/reshape.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

namespace {

std::string sizes_str(const std::vector<long>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + ")";
}

}  // namespace

Reshape::Reshape(std::vector<long> target_shape, std::string name)
    : Layer(std::move(name)), target_shape_(std::move(target_shape)) {
  const auto unknown = std::count(target_shape_.begin(), target_shape_.end(), -1);
  const bool bad = std::any_of(target_shape_.begin(), target_shape_.end(),
                               [](long d) { return d == 0 || d < -1; });
  if (unknown > 1 || bad)
    fail("target_shape must hold positive sizes and at most one -1, got " + sizes_str(target_shape_));
}

LayerPtr Reshape::from_config(const Json& config) {
  const Json& target = config.at("target_shape");
  std::vector<long> shape;
  for (const auto& d : target) shape.push_back(d.is_null() ? -1 : d.get<long>());
  auto layer = std::make_shared<Reshape>(std::move(shape), config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Shape Reshape::compute_output_shape(const Shape& input_shape) const {
  try {
    return resolve_reshape(input_shape, target_shape_);
  } catch (const ShapeError&) {
    fail("total size of the new array must be unchanged, input_shape = " + shape_str(input_shape) +
         ", target_shape = " + sizes_str(target_shape_));
  }
}

Variable Reshape::call(const Variable& x, bool) {
  std::vector<long> shape = {long(x.shape()[0])};
  for (std::size_t d : output_shape()) shape.push_back(long(d));
  return reshape(x, shape);
}

Json Reshape::get_config() const {
  Json config = Layer::get_config();
  config["target_shape"] = target_shape_;
  return config;
}

}  // namespace tessera
