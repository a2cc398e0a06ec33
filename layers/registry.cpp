#include "layers/registry.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "layers/activation.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/elu.hpp"
#include "layers/flatten.hpp"
#include "layers/gaussian_dropout.hpp"
#include "layers/gaussian_noise.hpp"
#include "layers/input_layer.hpp"
#include "layers/leaky_re_lu.hpp"
#include "layers/locally_connected1d.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/p_re_lu.hpp"
#include "layers/permute.hpp"
#include "layers/re_lu.hpp"
#include "layers/reshape.hpp"
#include "layers/softmax.hpp"
#include "layers/spatial_dropout1d.hpp"
#include "layers/spatial_dropout2d.hpp"
#include "layers/thresholded_re_lu.hpp"

namespace tessera {

namespace {

using Factory = LayerPtr (*)(const Json&);

const std::map<std::string, Factory>& table() {
  static const std::map<std::string, Factory> rows = {
      {"Activation", Activation::from_config},
      {"BatchNormalization", BatchNormalization::from_config},
      {"Dense", Dense::from_config},
      {"Dropout", Dropout::from_config},
      {"ELU", ELU::from_config},
      {"Flatten", Flatten::from_config},
      {"GaussianDropout", GaussianDropout::from_config},
      {"GaussianNoise", GaussianNoise::from_config},
      {"InputLayer", InputLayer::from_config},
      {"LeakyReLU", LeakyReLU::from_config},
      {"LocallyConnected1D", LocallyConnected1D::from_config},
      {"LocallyConnected2D", LocallyConnected2D::from_config},
      {"PReLU", PReLU::from_config},
      {"Permute", Permute::from_config},
      {"ReLU", ReLU::from_config},
      {"Reshape", Reshape::from_config},
      {"Softmax", Softmax::from_config},
      {"SpatialDropout1D", SpatialDropout1D::from_config},
      {"SpatialDropout2D", SpatialDropout2D::from_config},
      {"ThresholdedReLU", ThresholdedReLU::from_config},
  };
  return rows;
}

}  // namespace

LayerPtr layer_from_config(const std::string& class_name, const Json& config) {
  auto it = table().find(class_name);
  if (it == table().end()) {
    std::string list;
    for (const auto& name : supported_layers()) list += (list.empty() ? "" : ", ") + name;
    throw LayerError("unsupported layer '" + class_name + "'; tessera supports " + list);
  }
  // Every error names the layer: messages from config readers (JSON types, initializers, ...)
  // get the "<Class> '<name>': " prefix that layer constructors already write.
  const std::string prefix =
      class_name + " '" + (config.is_object() ? config.value("name", "") : "") + "': ";
  try {
    return it->second(config);
  } catch (const LayerError& e) {
    if (std::string(e.what()).rfind(class_name + " '", 0) == 0) throw;
    throw LayerError(prefix + e.what());
  } catch (const std::exception& e) {
    throw LayerError(prefix + e.what());
  }
}

std::vector<std::string> supported_layers() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : table()) names.push_back(name);
  return names;
}

}  // namespace tessera
