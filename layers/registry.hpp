// Keras class name → layer, for building models from Keras configs: one table row per layer.
#pragma once

#include <string>
#include <vector>

#include "layers/layer.hpp"

namespace tessera {

// Throws LayerError for an unknown class, naming it and listing the supported ones.
LayerPtr layer_from_config(const std::string& class_name, const Json& config);
std::vector<std::string> supported_layers();

}  // namespace tessera
