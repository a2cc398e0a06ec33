#include "layers/keras_config.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace tessera {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::vector<std::size_t> positive_tuple(const std::vector<long>& value, std::size_t n,
                                        const std::string& what) {
  if (value.size() == 1 && n > 1) return positive_tuple(std::vector<long>(n, value[0]), n, what);
  auto show = [&] {
    std::string s = "(";
    for (std::size_t i = 0; i < value.size(); ++i) s += (i ? ", " : "") + std::to_string(value[i]);
    return s + ")";
  };
  if (value.size() != n)
    throw LayerError(what + " must be an int or a tuple of " + std::to_string(n) + " ints, got " +
                     show());
  std::vector<std::size_t> out;
  for (long v : value) {
    if (v <= 0) throw LayerError(what + " must be positive, got " + show());
    out.push_back(std::size_t(v));
  }
  return out;
}

std::vector<std::size_t> positive_tuple(const Json& value, std::size_t n, const std::string& what) {
  std::vector<long> v;
  if (value.is_number_integer()) {
    v.push_back(value.get<long>());
  } else if (value.is_array()) {
    for (const auto& e : value) {
      if (!e.is_number_integer())
        throw LayerError(what + " must hold integers, got " + value.dump());
      v.push_back(e.get<long>());
    }
  } else {
    throw LayerError(what + " must be an int or a list of ints, got " + value.dump());
  }
  return positive_tuple(v, n, what);
}

std::string normalize_padding(const std::string& padding, const std::string& what,
                              bool allow_causal) {
  const std::string p = lower(padding);
  if (p == "valid" || p == "same" || (allow_causal && p == "causal")) return p;
  throw LayerError(what + " must be 'valid'" + std::string(allow_causal ? ", 'same' or 'causal'" : " or 'same'") +
                   ", got '" + padding + "'");
}

std::string normalize_data_format(const std::string& data_format, const std::string& what) {
  const std::string f = lower(data_format);
  if (f == "channels_last" || f == "channels_first") return f;
  throw LayerError(what + " must be 'channels_last' or 'channels_first', got '" + data_format +
                   "'");
}

NamedActivation make_activation(const std::string& name) {
  const std::string n = name.empty() ? "linear" : name;
  return {n, get_activation(n)};
}

NamedActivation activation_from_json(const Json& value) {
  if (value.is_null()) return make_activation("linear");
  if (value.is_string()) return make_activation(value.get<std::string>());
  if (value.is_object() && value.contains("config") && value["config"].is_object() &&
      value["config"].contains("name"))
    return make_activation(value["config"]["name"].get<std::string>());
  if (value.is_object() && value.contains("class_name"))
    return make_activation(keras_snake_case(value["class_name"].get<std::string>()));
  throw std::invalid_argument("activation must be a name, got " + value.dump());
}

KernelOptions kernel_options_from_json(const Json& config) {
  KernelOptions o;
  const Json none;
  o.activation = activation_from_json(config_value(config, "activation", none)).name;
  o.use_bias = config_value(config, "use_bias", true).get<bool>();
  if (config.contains("kernel_initializer") && !config["kernel_initializer"].is_null())
    o.kernel_initializer = initializer_from_json(config["kernel_initializer"]);
  if (config.contains("bias_initializer") && !config["bias_initializer"].is_null())
    o.bias_initializer = initializer_from_json(config["bias_initializer"]);
  o.kernel_regularizer = regularizer_from_json(config_value(config, "kernel_regularizer", none));
  o.bias_regularizer = regularizer_from_json(config_value(config, "bias_regularizer", none));
  o.activity_regularizer = regularizer_from_json(config_value(config, "activity_regularizer", none));
  o.kernel_constraint = constraint_from_json(config_value(config, "kernel_constraint", none));
  o.bias_constraint = constraint_from_json(config_value(config, "bias_constraint", none));
  o.name = config_value(config, "name", "").get<std::string>();
  return o;
}

void kernel_options_to_json(const KernelOptions& o, Json& config) {
  config["activation"] = o.activation;
  config["use_bias"] = o.use_bias;
  config["kernel_initializer"] = initializer_to_json(o.kernel_initializer);
  config["bias_initializer"] = initializer_to_json(o.bias_initializer);
  config["kernel_regularizer"] = regularizer_to_json(o.kernel_regularizer);
  config["bias_regularizer"] = regularizer_to_json(o.bias_regularizer);
  config["activity_regularizer"] = regularizer_to_json(o.activity_regularizer);
  config["kernel_constraint"] = constraint_to_json(o.kernel_constraint);
  config["bias_constraint"] = constraint_to_json(o.bias_constraint);
}

void apply_base_config(Layer& layer, const Json& config) {
  if (config.contains("name") && config["name"].is_string())
    layer.set_name(config["name"].get<std::string>());
  if (config.contains("trainable") && config["trainable"].is_boolean())
    layer.trainable = config["trainable"].get<bool>();
  if (config.contains("activity_regularizer"))
    layer.activity_regularizer = regularizer_from_json(config["activity_regularizer"]);
  // Keras 2.2 puts batch_input_shape on the first layer: [null, dims...].
  // A copy: a reference would dangle when the key is absent (the fallback is a temporary).
  const Json batch_shape = config_value(config, "batch_input_shape", Json());
  if (batch_shape.is_array() && !batch_shape.empty()) {
    Shape shape;
    for (std::size_t i = 1; i < batch_shape.size(); ++i) {
      if (!batch_shape[i].is_number_integer() || batch_shape[i].get<long>() <= 0)
        throw LayerError(layer.class_name() + " '" + layer.name() +
                         "': batch_input_shape must hold positive sizes after the batch axis, got " +
                         batch_shape.dump());
      shape.push_back(batch_shape[i].get<std::size_t>());
    }
    layer.declared_input_shape = shape;
  }
}

std::optional<std::uint64_t> seed_from_json(const Json& config) {
  const Json none;
  const Json& seed = config_value(config, "seed", none);
  if (seed.is_null()) return std::nullopt;
  if (!seed.is_number_integer() || seed.get<long long>() < 0)
    throw LayerError("seed must be a non-negative integer or null, got " + seed.dump());
  return seed.get<std::uint64_t>();
}

Json seed_to_json(const std::optional<std::uint64_t>& seed) {
  return seed ? Json(*seed) : Json(nullptr);
}

std::string batch_shape_str(const Shape& sample_shape) {
  std::string s = "(None";
  for (std::size_t d : sample_shape) s += ", " + std::to_string(d);
  return s + ")";
}

Json config_value(const Json& config, const std::string& key, const Json& fallback) {
  auto it = config.find(key);
  return it == config.end() || it->is_null() ? fallback : *it;
}

}  // namespace tessera
