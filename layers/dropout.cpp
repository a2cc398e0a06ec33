#include "layers/dropout.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

Dropout::Dropout(float rate, std::optional<Shape> noise_shape, std::optional<std::uint64_t> seed,
                 std::string name)
    : Dropout(rate, std::move(noise_shape), seed, std::move(name), "Dropout") {}

Dropout::Dropout(float rate, std::optional<Shape> noise_shape, std::optional<std::uint64_t> seed,
                 std::string name, const std::string& class_name)
    : NoiseLayer(seed, std::move(name)), rate_(rate), noise_shape_(std::move(noise_shape)) {
  if (!(rate_ >= 0.0f && rate_ <= 1.0f))
    throw LayerError(class_name + " '" + this->name() + "': rate must be between 0 and 1, got " +
                     std::to_string(rate_));
}

LayerPtr Dropout::from_config(const Json& config) {
  DropoutArgs a = dropout_args_from_json(config);
  auto layer = std::make_shared<Dropout>(a.rate, a.noise_shape, a.seed, config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Shape Dropout::compute_output_shape(const Shape& input_shape) const {
  if (noise_shape_) {
    Shape batch_shape = {1};
    batch_shape.insert(batch_shape.end(), input_shape.begin(), input_shape.end());
    bool fits = noise_shape_->size() == batch_shape.size();
    for (std::size_t i = 0; fits && i < batch_shape.size(); ++i)
      fits = (*noise_shape_)[i] <= 1 || (*noise_shape_)[i] == batch_shape[i] || i == 0;
    if (!fits)
      fail("noise_shape " + shape_str(*noise_shape_) + " does not broadcast to input shape " +
           batch_shape_str(input_shape));
  }
  return input_shape;
}

Shape Dropout::mask_shape(const Shape& input_shape) const {
  if (!noise_shape_) return input_shape;
  Shape s = *noise_shape_;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == 0) s[i] = input_shape[i];
  if (s[0] != 1 && s[0] != input_shape[0])
    fail("noise_shape " + shape_str(*noise_shape_) + " does not broadcast to a batch of " +
         std::to_string(input_shape[0]));
  return s;
}

Variable Dropout::call(const Variable& x, bool training) {
  if (!training || rate_ == 0.0f) return x;
  // Keras accepts rate 1 in the config but its dropout refuses it when training.
  if (rate_ >= 1.0f) fail("cannot train with rate 1: nothing would be kept");
  Tensor mask = Tensor::from_shape(mask_shape(x.shape()));
  const float keep_scale = 1.0f / (1.0f - rate_);
  for (auto& m : mask) m = noise().uniform() >= rate_ ? keep_scale : 0.0f;
  return mul(x, Variable(std::move(mask)));
}

Json Dropout::get_config() const {
  Json config = NoiseLayer::get_config();
  config["rate"] = rate_;
  if (noise_shape_) {
    Json shape = Json::array();
    for (std::size_t d : *noise_shape_) shape.push_back(d == 0 ? Json(nullptr) : Json(d));
    config["noise_shape"] = shape;
  } else {
    config["noise_shape"] = nullptr;
  }
  return config;
}

DropoutArgs dropout_args_from_json(const Json& config) {
  DropoutArgs a;
  a.rate = config.at("rate").get<float>();
  const Json none;
  const Json& noise = config_value(config, "noise_shape", none);
  if (noise.is_array()) {
    Shape shape;
    for (const auto& d : noise) shape.push_back(d.is_null() ? 0 : d.get<std::size_t>());
    a.noise_shape = shape;
  }
  a.seed = seed_from_json(config);
  return a;
}

}  // namespace tessera
