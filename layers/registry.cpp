#include "layers/registry.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "layers/average_pooling1d.hpp"
#include "layers/average_pooling2d.hpp"
#include "layers/conv1d.hpp"
#include "layers/conv2d.hpp"
#include "layers/cropping1d.hpp"
#include "layers/cropping2d.hpp"
#include "layers/dense.hpp"
#include "layers/global_average_pooling1d.hpp"
#include "layers/global_average_pooling2d.hpp"
#include "layers/global_max_pooling1d.hpp"
#include "layers/global_max_pooling2d.hpp"
#include "layers/locally_connected1d.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/max_pooling1d.hpp"
#include "layers/max_pooling2d.hpp"
#include "layers/up_sampling1d.hpp"
#include "layers/up_sampling2d.hpp"
#include "layers/zero_padding1d.hpp"
#include "layers/zero_padding2d.hpp"

namespace tessera {

namespace {

using Factory = LayerPtr (*)(const Json&);

const std::map<std::string, Factory>& table() {
  static const std::map<std::string, Factory> rows = {
      {"Dense", Dense::from_config},
      {"LocallyConnected1D", LocallyConnected1D::from_config},
      {"LocallyConnected2D", LocallyConnected2D::from_config},
      {"Conv1D", Conv1D::from_config},
      {"Conv2D", Conv2D::from_config},
      {"MaxPooling1D", MaxPooling1D::from_config},
      {"MaxPooling2D", MaxPooling2D::from_config},
      {"AveragePooling1D", AveragePooling1D::from_config},
      {"AveragePooling2D", AveragePooling2D::from_config},
      {"GlobalAveragePooling1D", GlobalAveragePooling1D::from_config},
      {"GlobalAveragePooling2D", GlobalAveragePooling2D::from_config},
      {"GlobalMaxPooling1D", GlobalMaxPooling1D::from_config},
      {"GlobalMaxPooling2D", GlobalMaxPooling2D::from_config},
      {"ZeroPadding1D", ZeroPadding1D::from_config},
      {"ZeroPadding2D", ZeroPadding2D::from_config},
      {"Cropping1D", Cropping1D::from_config},
      {"Cropping2D", Cropping2D::from_config},
      {"UpSampling1D", UpSampling1D::from_config},
      {"UpSampling2D", UpSampling2D::from_config},
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
  return it->second(config);
}

std::vector<std::string> supported_layers() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : table()) names.push_back(name);
  return names;
}

}  // namespace tessera
