#include "layers/registry.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "layers/activation.hpp"
#include "layers/average_pooling1d.hpp"
#include "layers/average_pooling2d.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/conv1d.hpp"
#include "layers/conv2d.hpp"
#include "layers/cropping1d.hpp"
#include "layers/cropping2d.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/elu.hpp"
#include "layers/flatten.hpp"
#include "layers/gaussian_dropout.hpp"
#include "layers/gaussian_noise.hpp"
#include "layers/global_average_pooling1d.hpp"
#include "layers/global_average_pooling2d.hpp"
#include "layers/global_max_pooling1d.hpp"
#include "layers/global_max_pooling2d.hpp"
#include "layers/input_layer.hpp"
#include "layers/leaky_re_lu.hpp"
#include "layers/locally_connected1d.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/max_pooling1d.hpp"
#include "layers/max_pooling2d.hpp"
#include "layers/p_re_lu.hpp"
#include "layers/permute.hpp"
#include "layers/re_lu.hpp"
#include "layers/reshape.hpp"
#include "layers/softmax.hpp"
#include "layers/spatial_dropout1d.hpp"
#include "layers/spatial_dropout2d.hpp"
#include "layers/thresholded_re_lu.hpp"
#include "layers/up_sampling1d.hpp"
#include "layers/up_sampling2d.hpp"
#include "layers/zero_padding1d.hpp"
#include "layers/zero_padding2d.hpp"

namespace tessera {

namespace {

using Factory = LayerPtr (*)(const Json&);

const std::map<std::string, Factory>& table() {
  static const std::map<std::string, Factory> rows = {
      {"Activation", Activation::from_config},
      {"AveragePooling1D", AveragePooling1D::from_config},
      {"AveragePooling2D", AveragePooling2D::from_config},
      {"BatchNormalization", BatchNormalization::from_config},
      {"Conv1D", Conv1D::from_config},
      {"Conv2D", Conv2D::from_config},
      {"Cropping1D", Cropping1D::from_config},
      {"Cropping2D", Cropping2D::from_config},
      {"Dense", Dense::from_config},
      {"Dropout", Dropout::from_config},
      {"ELU", ELU::from_config},
      {"Flatten", Flatten::from_config},
      {"GaussianDropout", GaussianDropout::from_config},
      {"GaussianNoise", GaussianNoise::from_config},
      {"GlobalAveragePooling1D", GlobalAveragePooling1D::from_config},
      {"GlobalAveragePooling2D", GlobalAveragePooling2D::from_config},
      {"GlobalMaxPooling1D", GlobalMaxPooling1D::from_config},
      {"GlobalMaxPooling2D", GlobalMaxPooling2D::from_config},
      {"InputLayer", InputLayer::from_config},
      {"LeakyReLU", LeakyReLU::from_config},
      {"LocallyConnected1D", LocallyConnected1D::from_config},
      {"LocallyConnected2D", LocallyConnected2D::from_config},
      {"MaxPooling1D", MaxPooling1D::from_config},
      {"MaxPooling2D", MaxPooling2D::from_config},
      {"PReLU", PReLU::from_config},
      {"Permute", Permute::from_config},
      {"ReLU", ReLU::from_config},
      {"Reshape", Reshape::from_config},
      {"Softmax", Softmax::from_config},
      {"SpatialDropout1D", SpatialDropout1D::from_config},
      {"SpatialDropout2D", SpatialDropout2D::from_config},
      {"ThresholdedReLU", ThresholdedReLU::from_config},
      {"UpSampling1D", UpSampling1D::from_config},
      {"UpSampling2D", UpSampling2D::from_config},
      {"ZeroPadding1D", ZeroPadding1D::from_config},
      {"ZeroPadding2D", ZeroPadding2D::from_config},
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
