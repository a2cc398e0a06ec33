#include "optim/keras_object.hpp"

#include <stdexcept>

namespace tessera {

KerasObject parse_keras_object(const Json& j, const std::string& what) {
  if (j.is_string()) return {j.get<std::string>(), Json::object()};
  if (!j.is_object() || !j.contains("class_name") || !j["class_name"].is_string())
    throw std::invalid_argument(what + " must be a name or {\"class_name\", \"config\"}, got " + j.dump());
  const Json config = j.value("config", Json());
  if (!config.is_null() && !config.is_object())
    throw std::invalid_argument(what + " '" + j["class_name"].get<std::string>() +
                                "': config must be an object, got " + config.dump());
  return {j["class_name"].get<std::string>(), config.is_null() ? Json::object() : config};
}

float config_number(const Json& config, const char* key, float fallback) {
  auto it = config.find(key);
  return it == config.end() || it->is_null() ? fallback : it->get<float>();
}

}  // namespace tessera
