// The Keras files in tests/data (fixtures copied from ../shared/fixtures, files Keras itself
// wrote in tests/data/real-keras), found by scanning the folder, and which of their layers the
// registry lacks: tests load every file whose layers are all there and expect the others to
// fail with "unsupported layer", so the tests grow by themselves as layers are added. Also
// writers of hand-made model files (configs that fail, weights that do not fit).
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/hdf5.hpp"
#include "io/hdf5_writer.hpp"
#include "layers/registry.hpp"
#include "layers/sequential.hpp"

namespace keras_files {

inline const std::string kData = TESSERA_TEST_DATA;

// Sorted stems of the files in `folder` named <stem><suffix>.
inline std::vector<std::string> stems(const std::string& folder, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(name.substr(0, name.size() - suffix.size()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Fixtures: <stem>.h5 with <stem>.io.h5 holding x and the expected y.
inline std::vector<std::string> fixtures() { return stems(kData, ".io.h5"); }
// Real Keras models with the outputs Keras computed: <stem>_model.h5, <stem>_inputs_and_outputs.h5.
inline std::vector<std::string> real_keras() { return stems(kData + "/real-keras", "_inputs_and_outputs.h5"); }

// A whole-model file with this model_config (and training_config when given) and no weights:
// for configs that fail before weights, or models that have none.
inline void write_config_only(const std::string& path, const std::string& model_config,
                              const std::string& training_config = "") {
  tessera::H5Writer w(path);
  w.write_string("/", "model_config", model_config, tessera::Charset::ascii);
  if (!training_config.empty()) w.write_string("/", "training_config", training_config, tessera::Charset::ascii);
  w.create_group("/model_weights");
  w.write_string_list("/model_weights", "layer_names", {});
  w.commit();
}

// Layer groups as a Keras weights file holds them, written by hand: "<root>/<layer>" with
// weight_names "<layer>/<weight><suffix>" and a dataset at each name.
inline void write_layer_groups(tessera::H5Writer& w, const std::string& root, const tessera::Sequential& model,
                               const std::string& suffix) {
  for (const auto& l : model.layers()) {
    const std::string group = root + "/" + l->name();
    w.create_group(group);
    std::vector<std::string> names;
    for (const auto& weight : l->weights()) names.push_back(l->name() + "/" + weight.name + suffix);
    w.write_string_list(group, "weight_names", names);
    for (std::size_t i = 0; i < names.size(); ++i) w.write_tensor(group + "/" + names[i], l->weights()[i].variable.value());
  }
}

// The model_config of a whole-model file.
inline nlohmann::json model_config(const std::string& path) {
  return nlohmann::json::parse(tessera::H5File(path).read_string("/", "model_config"));
}

// Layer classes of a model file that the registry does not have, in the config's order
// (InputLayer aside: the loader takes its shape).
inline std::vector<std::string> missing_layers(const std::string& path) {
  const nlohmann::json config = model_config(path).at("config");
  const nlohmann::json& layers = config.is_array() ? config : config.at("layers");
  const auto supported = tessera::supported_layers();
  std::vector<std::string> missing;
  for (const auto& layer : layers) {
    const std::string cls = layer.at("class_name");
    if (cls != "InputLayer" && std::find(supported.begin(), supported.end(), cls) == supported.end() &&
        std::find(missing.begin(), missing.end(), cls) == missing.end())
      missing.push_back(cls);
  }
  return missing;
}

}  // namespace keras_files
