#include "layers/input_layer.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

namespace {

std::string dims_str(const InputLayer::Dims& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + (dims[i] ? std::to_string(*dims[i]) : std::string("None"));
  return s + ")";
}

InputLayer::Dims dims_from_json(const Json& list, const std::string& what) {
  if (!list.is_array()) throw LayerError(what + " must be a list, got " + list.dump());
  InputLayer::Dims dims;
  for (const auto& d : list) {
    if (d.is_null()) dims.push_back(std::nullopt);
    else if (d.is_number_integer() && d.get<long>() >= 0) dims.push_back(std::size_t(d.get<long>()));
    else throw LayerError(what + " must hold sizes or null, got " + list.dump());
  }
  return dims;
}

}  // namespace

InputLayer::InputLayer(Dims batch_input_shape, std::string name)
    : Layer(std::move(name)), batch_input_shape_(std::move(batch_input_shape)) {
  if (batch_input_shape_.empty()) fail("batch_input_shape must include the batch axis, got ()");
  // A Sequential model builds from this shape when every sample size is known.
  Shape sample;
  for (std::size_t i = 1; i < batch_input_shape_.size(); ++i)
    if (batch_input_shape_[i]) sample.push_back(*batch_input_shape_[i]);
  if (sample.size() + 1 == batch_input_shape_.size()) declared_input_shape = sample;
}

LayerPtr InputLayer::from_config(const Json& config) {
  const std::string what = "InputLayer '" + config.value("name", "") + "'";
  Dims dims;
  // Keras 2 writes batch_input_shape, Keras 3 batch_shape; a user may give input_shape.
  if (config.contains("batch_input_shape")) {
    dims = dims_from_json(config["batch_input_shape"], what + ": batch_input_shape");
  } else if (config.contains("batch_shape")) {
    dims = dims_from_json(config["batch_shape"], what + ": batch_shape");
  } else if (config.contains("input_shape")) {
    dims = dims_from_json(config["input_shape"], what + ": input_shape");
    dims.insert(dims.begin(), std::nullopt);
  } else {
    throw LayerError(what + ": config has neither batch_input_shape nor input_shape");
  }
  for (const char* key : {"sparse", "ragged"})
    if (config_value(config, key, false).get<bool>())
      throw LayerError(what + ": " + key + " inputs are not supported");
  auto layer = std::make_shared<InputLayer>(std::move(dims));
  // The shape is read above (None sizes included); the base keys are the rest.
  Json base = config;
  base.erase("batch_input_shape");
  apply_base_config(*layer, base);
  return layer;
}

Shape InputLayer::sample_shape() const {
  Shape s;
  for (std::size_t i = 1; i < batch_input_shape_.size(); ++i) {
    if (!batch_input_shape_[i])
      fail("the sample shape " + dims_str(batch_input_shape_) + " has an unknown size");
    s.push_back(*batch_input_shape_[i]);
  }
  return s;
}

Shape InputLayer::compute_output_shape(const Shape& input_shape) const {
  bool fits = input_shape.size() + 1 == batch_input_shape_.size();
  for (std::size_t i = 0; fits && i < input_shape.size(); ++i)
    fits = !batch_input_shape_[i + 1] || *batch_input_shape_[i + 1] == input_shape[i];
  if (!fits) {
    Dims given(1, std::nullopt);
    given.insert(given.end(), input_shape.begin(), input_shape.end());
    fail("expected input of shape " + dims_str(batch_input_shape_) + ", got " + dims_str(given));
  }
  return input_shape;
}

Variable InputLayer::call(const Variable& x, bool) { return x; }

Json InputLayer::get_config() const {
  Json config = Layer::get_config();
  Json dims = Json::array();
  for (const auto& d : batch_input_shape_) dims.push_back(d ? Json(*d) : Json(nullptr));
  config["batch_input_shape"] = dims;
  config["sparse"] = false;
  config["ragged"] = false;
  return config;
}

}  // namespace tessera
