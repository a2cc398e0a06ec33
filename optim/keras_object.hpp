// A Keras object as configs spell it: a bare name ("l2", "he_normal", "mse") or
// {"class_name": "L2", "config": {...}} (with or without Keras 2.13+'s "module" and
// "registered_name", which name the same classes). Included by .cpp files only.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tessera {

using Json = nlohmann::json;

struct KerasObject {
  std::string name;  // the bare name or the class_name
  Json config;       // {} for a bare name or a missing/null config
};

// Throws std::invalid_argument naming `what` ("regularizer", "loss", ...) when `j` is neither
// form, or when its config is not an object.
KerasObject parse_keras_object(const Json& j, const std::string& what);

// config[key] as a float, or `fallback` where the key is missing or null (Keras writes null for
// an argument left at its default).
float config_number(const Json& config, const char* key, float fallback);

// keras.backend.epsilon(): the fuzz factor Keras' losses and norm constraints add.
constexpr float kKerasEpsilon = 1e-7f;

}  // namespace tessera
