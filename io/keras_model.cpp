#include "io/keras_model.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "core/finite.hpp"
#include "io/hdf5.hpp"
#include "io/hdf5_writer.hpp"
#include "io/training_config.hpp"
#include "layers/keras_config.hpp"
#include "layers/registry.hpp"

namespace tessera {

namespace {

[[noreturn]] void fail(const std::string& what) { throw KerasFormatError(what); }

const Json kEmptyList = Json::array();  // a fallback config_value can return by reference

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

// A JSON value quoted in a one-line message, cut short when long.
std::string excerpt(const Json& value) {
  const std::string s = value.dump();
  return s.size() <= 80 ? s : s.substr(0, 77) + "...";
}

// ------------------------------------------------------------------ model_config → layers

struct LayerSpec {
  std::string class_name;
  Json config;
  Json build_config;  // Keras 3 records a built layer's input shape here
  LayerPtr layer;     // made from the config as soon as it is read; null for an InputLayer
};

std::string spec_name(const Json& config) {
  return config.contains("name") && config["name"].is_string() ? config["name"].get<std::string>()
                                                               : std::string();
}

// A number in a layer config that no size or option can take. Layers read sizes with Keras'
// int(): converting a float beyond the integer range is undefined in C++, so such floats are
// refused here, once, before any layer reads them (the path names where it is, e.g. "/units").
std::optional<std::string> out_of_range_number(const Json& value, const std::string& path = "") {
  if (value.is_number_float() && !(std::fabs(value.get<double>()) < 9.2e18))
    return "\"" + path + "\" is out of range: " + value.dump();
  if (value.is_object())
    for (const auto& [key, item] : value.items())
      if (auto found = out_of_range_number(item, path + "/" + key)) return found;
  if (value.is_array())
    for (std::size_t i = 0; i < value.size(); ++i)
      if (auto found = out_of_range_number(value[i], path + "/" + std::to_string(i))) return found;
  return std::nullopt;
}

// Reads a layer entry and makes the layer, as Keras deserializes every layer before it connects
// them: an unsupported class is reported before anything about the graph.
LayerSpec layer_spec(const Json& entry) {
  if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string() ||
      !entry.contains("config") || !entry["config"].is_object())
    fail("a layer entry needs a \"class_name\" string and a \"config\" object, got " +
         excerpt(entry));
  LayerSpec spec{entry["class_name"].get<std::string>(), entry["config"],
                 entry.value("build_config", Json()), nullptr};
  if (spec.class_name == "InputLayer") return spec;
  if (const auto what = out_of_range_number(spec.config))
    fail(spec.class_name + " '" + spec_name(spec.config) + "': config value " + *what);
  try {
    spec.layer = layer_from_config(spec.class_name, spec.config);
  } catch (const nlohmann::json::exception& e) {
    fail(spec.class_name + " '" + spec_name(spec.config) + "': bad config: " + e.what());
  }
  return spec;
}

// Sequential: {"name", "layers": [...]} (2.2+) or the bare list of layers (≤ 2.1).
std::vector<LayerSpec> sequential_specs(const Json& config, std::string& name) {
  const Json* layers = &config;
  if (config.is_object()) {
    if (config.contains("name") && config["name"].is_string()) name = config["name"];
    if (!config.contains("layers")) fail("Sequential config has no \"layers\"");
    layers = &config["layers"];
  }
  if (!layers->is_array()) fail("Sequential \"layers\" must be a list, got " + excerpt(*layers));
  std::vector<LayerSpec> specs;
  for (const auto& entry : *layers) specs.push_back(layer_spec(entry));
  return specs;
}

// The layer names feeding one call of a layer: Keras 2 writes a node as a list of
// [layer_name, node_index, tensor_index, kwargs], Keras 3 as {"args": [...], "kwargs": {...}}
// holding {"class_name": "__keras_tensor__", "config": {"keras_history": [layer_name, ...]}}.
void collect_inbound(const Json& node, std::vector<std::string>& names) {
  if (node.is_object()) {
    if (node.value("class_name", "") == "__keras_tensor__") {
      const Json& history = config_value(config_value(node, "config", kEmptyList), "keras_history", kEmptyList);
      if (history.is_array() && !history.empty() && history[0].is_string())
        names.push_back(history[0].get<std::string>());
      return;
    }
    if (node.contains("args")) collect_inbound(node["args"], names);
    return;
  }
  if (!node.is_array()) return;
  if (!node.empty() && node[0].is_string()) {
    names.push_back(node[0].get<std::string>());
    return;
  }
  for (const auto& part : node) collect_inbound(part, names);
}

// The one layer named in input_layers or output_layers: [[name, 0, 0]] or [name, 0, 0].
std::string endpoint(const Json& config, const char* key, const std::string& model) {
  const Json& list = config_value(config, key, kEmptyList);
  if (list.is_array() && !list.empty() && list[0].is_string()) return list[0];
  if (!list.is_array() || list.size() != 1 || !list[0].is_array() || list[0].empty() ||
      !list[0][0].is_string())
    fail("model '" + model + "' must have exactly one entry in " + key + ", got " +
         excerpt(list) + "; tessera loads single-input, single-output chains");
  return list[0][0];
}

// Functional / Model: the layers in order from the input to the output, which must form a
// single chain (each layer called once, on one tensor, and every layer on the path).
std::vector<LayerSpec> functional_specs(const Json& config, std::string& name) {
  if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array())
    fail("Functional config has no \"layers\" list");
  if (config.contains("name") && config["name"].is_string()) name = config["name"];
  std::map<std::string, LayerSpec> by_name;
  std::map<std::string, std::vector<std::string>> inputs_of;
  for (const auto& entry : config["layers"]) {
    LayerSpec spec = layer_spec(entry);
    const std::string layer = entry.contains("name") ? entry["name"].get<std::string>() : spec_name(spec.config);
    const Json& nodes = config_value(entry, "inbound_nodes", kEmptyList);
    if (nodes.size() > 1)
      fail("model '" + name + "': layer '" + layer + "' is called " + std::to_string(nodes.size()) +
           " times (a shared layer); tessera loads single chains only");
    std::vector<std::string> inputs;
    if (!nodes.empty()) collect_inbound(nodes[0], inputs);
    inputs_of[layer] = inputs;
    by_name.emplace(layer, std::move(spec));
  }
  const std::string input = endpoint(config, "input_layers", name);
  std::vector<std::string> chain{endpoint(config, "output_layers", name)};
  while (chain.back() != input) {
    const std::string& layer = chain.back();
    auto it = inputs_of.find(layer);
    if (it == inputs_of.end()) fail("model '" + name + "' refers to an unknown layer '" + layer + "'");
    if (it->second.size() != 1)
      fail("model '" + name + "' is not a single chain: layer '" + layer + "' takes " +
           std::to_string(it->second.size()) + " inputs (" + join(it->second) + ")");
    if (std::find(chain.begin(), chain.end(), it->second[0]) != chain.end())
      fail("model '" + name + "' has a cycle through layer '" + layer + "'");
    chain.push_back(it->second[0]);
  }
  if (!by_name.count(input)) fail("model '" + name + "' refers to an unknown layer '" + input + "'");
  if (chain.size() != by_name.size()) {
    std::vector<std::string> off;
    for (const auto& [layer, spec] : by_name)
      if (std::find(chain.begin(), chain.end(), layer) == chain.end()) off.push_back(layer);
    fail("model '" + name + "' is not a single chain: layers " + join(off) +
         " are not on the path from '" + input + "' to '" + chain.front() + "'");
  }
  std::vector<LayerSpec> specs;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) specs.push_back(by_name.at(*it));
  return specs;
}

// The sample shape (batch axis dropped) of an InputLayer config, or of a Keras 3 build_config.
Shape declared_shape(const Json& batch_shape, const std::string& what) {
  if (!batch_shape.is_array() || batch_shape.empty())
    fail(what + " must be a list starting with the batch size, got " + excerpt(batch_shape));
  Shape shape;
  for (std::size_t i = 1; i < batch_shape.size(); ++i) {
    if (!batch_shape[i].is_number_integer() || batch_shape[i].get<long>() <= 0)
      fail(what + " " + excerpt(batch_shape) +
           " has a size that is not a positive integer; tessera needs fixed sample shapes");
    shape.push_back(batch_shape[i].get<std::size_t>());
  }
  return shape;
}

Shape input_layer_shape(const LayerSpec& spec) {
  const std::string what = "InputLayer '" + spec_name(spec.config) + "': ";
  for (const char* key : {"batch_input_shape", "batch_shape"})  // Keras 2, Keras 3
    if (spec.config.contains(key)) return declared_shape(spec.config[key], what + key);
  fail(what + "config has no batch_input_shape");
}

Sequential build_chain(const std::string& name, const std::vector<LayerSpec>& specs) {
  Sequential model(name);
  std::optional<Shape> input_shape;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec& spec = specs[i];
    if (spec.class_name == "InputLayer") {
      if (i != 0) fail("model '" + name + "': InputLayer '" + spec_name(spec.config) + "' is not first");
      input_shape = input_layer_shape(spec);
      continue;
    }
    LayerPtr layer = spec.layer;
    if (model.layers().empty()) {
      if (input_shape) layer->declared_input_shape = input_shape;
      if (!layer->declared_input_shape && spec.build_config.contains("input_shape"))
        layer->declared_input_shape =
            declared_shape(spec.build_config["input_shape"], "build_config input_shape");
    }
    model.add(std::move(layer));
  }
  if (model.layers().empty()) fail("model '" + name + "' has no layers");
  if (!model.layers().front()->declared_input_shape)
    fail("model '" + name + "' declares no input shape (no InputLayer, no batch_input_shape on '" +
         model.layers().front()->name() + "')");
  model.build();
  return model;
}

// ------------------------------------------------------------------ weights in files

// A layer as a weights file lists it.
struct StoredLayer {
  std::string name, group;
  std::vector<std::string> weight_names;
};

bool has_list(const H5File& f, const std::string& object, const std::string& name) {
  return f.has_attribute(object, name) || f.has_attribute(object, name + "0");
}

std::string child(const std::string& group, const std::string& name) {
  return group == "/" ? "/" + name : group + "/" + name;
}

std::vector<StoredLayer> stored_layers(const H5File& f) {
  std::string root;
  if (has_list(f, "/", "layer_names")) root = "/";
  else if (f.is_group("/model_weights") && has_list(f, "/model_weights", "layer_names"))
    root = "/model_weights";
  else
    fail(f.path() + ": not a Keras weights file (no layer_names attribute at the root or in " +
         "model_weights)");
  std::vector<StoredLayer> layers;
  for (const auto& name : f.read_string_list(root, "layer_names")) {
    const std::string group = child(root, name);
    if (!f.is_group(group) || !has_list(f, group, "weight_names"))
      fail(f.path() + ": layer '" + name + "' is in layer_names but '" + group +
           "' is not a group with weight_names");
    layers.push_back({name, group, f.read_string_list(group, "weight_names")});
  }
  return layers;
}

// The dataset of a listed weight; Keras 3's legacy .h5 files drop TensorFlow's ":0".
std::string weight_dataset(const H5File& f, const StoredLayer& layer, const std::string& weight) {
  const std::string path = layer.group + "/" + weight;
  if (f.exists(path)) return path;
  const bool tagged = path.size() > 2 && path.compare(path.size() - 2, 2, ":0") == 0;
  const std::string other = tagged ? path.substr(0, path.size() - 2) : path + ":0";
  if (f.exists(other)) return other;
  fail(f.path() + ": layer '" + layer.name + "' lists weight '" + weight +
       "' but the file has no dataset '" + path + "'");
}

std::vector<std::string> weight_names(const Layer& layer) {
  std::vector<std::string> names;
  for (const auto& w : layer.weights()) names.push_back(w.name);
  return names;
}

// Keras loads and saves NaN and Inf weights; tessera refuses both, since every output of such a
// model is NaN: a damaged file, or a diverged training run that TerminateOnNaN should have ended.
void require_finite_weight(const Tensor& value, const std::string& what, const std::string& hint) {
  try {
    require_finite(value, what, hint);
  } catch (const NonFiniteError& e) {
    fail(e.what());
  }
}

struct Assignment {
  Weight* weight;
  Tensor value;
};

// Reads and checks the file's weights for one model layer.
void match_layer(const H5File& f, Layer& layer, const StoredLayer& stored, std::vector<Assignment>& out) {
  auto& weights = layer.weights();
  const std::string who = "layer '" + layer.name() + "' (" + layer.class_name() + ")";
  if (weights.size() != stored.weight_names.size())
    fail(f.path() + ": " + who + " has " + std::to_string(weights.size()) + " weights (" +
         join(weight_names(layer)) + ") but the file's layer '" + stored.name + "' has " +
         std::to_string(stored.weight_names.size()) + " (" + join(stored.weight_names) + ")");
  for (std::size_t i = 0; i < weights.size(); ++i) {
    // The shape first: a dataset claiming a huge shape is refused before it is read.
    const std::string dataset = weight_dataset(f, stored, stored.weight_names[i]);
    const Shape shape = f.dataset_shape(dataset);
    const std::string what = f.path() + ": " + who + " weight '" + weights[i].name + "'";
    if (shape != weights[i].variable.shape())
      fail(what + " has shape " + shape_str(weights[i].variable.shape()) + " but the file's '" +
           stored.weight_names[i] + "' has shape " + shape_str(shape));
    Tensor value = f.read_tensor(dataset);
    require_finite_weight(value, what + " ('" + stored.weight_names[i] + "')", "the file is damaged");
    out.push_back({&weights[i], std::move(value)});
  }
}

std::vector<Assignment> match_by_order(const H5File& f, const Sequential& model,
                                       const std::vector<StoredLayer>& stored) {
  std::vector<Layer*> layers;
  std::vector<std::string> layer_names, stored_names;
  for (const auto& l : model.layers())
    if (!l->weights().empty()) {
      layers.push_back(l.get());
      layer_names.push_back(l->name());
    }
  std::vector<const StoredLayer*> with_weights;
  for (const auto& s : stored)
    if (!s.weight_names.empty()) {
      with_weights.push_back(&s);
      stored_names.push_back(s.name);
    }
  if (layers.size() != with_weights.size())
    fail(f.path() + ": the file has weights for " + std::to_string(with_weights.size()) +
         " layers (" + join(stored_names) + ") but model '" + model.name() + "' has " +
         std::to_string(layers.size()) + " layers with weights (" + join(layer_names) + ")");
  std::vector<Assignment> out;
  for (std::size_t i = 0; i < layers.size(); ++i) match_layer(f, *layers[i], *with_weights[i], out);
  return out;
}

std::vector<Assignment> match_by_name(const H5File& f, const Sequential& model,
                                      const std::vector<StoredLayer>& stored) {
  std::vector<Assignment> out;
  for (const auto& s : stored)
    for (const auto& l : model.layers())
      if (l->name() == s.name) match_layer(f, *l, s, out);
  return out;
}

void load_weights_from(const H5File& f, Sequential& model, bool by_name) {
  if (!model.built()) fail(f.path() + ": cannot load weights into model '" + model.name() + "' before it is built");
  const auto stored = stored_layers(f);
  auto assignments = by_name ? match_by_name(f, model, stored) : match_by_order(f, model, stored);
  for (auto& a : assignments) a.weight->variable.value() = std::move(a.value);
}

// The layers Keras lists in layer_names: a Sequential model's layers without its InputLayer.
std::vector<const Layer*> saved_layers(const Sequential& model) {
  std::vector<const Layer*> layers;
  for (const auto& l : model.layers())
    if (l->class_name() != "InputLayer") layers.push_back(l.get());
  return layers;
}

// Keras' save_weights_to_hdf5_group: attributes as Python bytes (ASCII), one group per layer.
void write_weights(H5Writer& out, const std::string& root, const Sequential& model) {
  if (!model.built()) fail(out.path() + ": cannot save model '" + model.name() + "' before it is built");
  std::vector<std::string> names;
  for (const Layer* l : saved_layers(model)) names.push_back(l->name());
  out.write_string_list(root, "layer_names", names);
  out.write_string(root, "backend", kKerasBackend, Charset::ascii);
  out.write_string(root, "keras_version", kKerasVersion, Charset::ascii);
  for (const Layer* l : saved_layers(model)) {
    const std::string group = child(root, l->name());
    out.create_group(group);
    std::vector<std::string> weights;
    for (const auto& w : l->weights()) weights.push_back(l->name() + "/" + w.name + ":0");
    out.write_string_list(group, "weight_names", weights);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const Tensor& value = l->weights()[i].variable.value();
      // load_model refuses such files, so writing one would only lose the model later.
      require_finite_weight(value, out.path() + ": " + l->class_name() + " '" + l->name() +
                                       "' weight '" + l->weights()[i].name + "'",
                            "the model is not saved");
      out.write_tensor(group + "/" + weights[i], value);
    }
  }
}

}  // namespace

Json parse_model_config(const std::string& text) {
  constexpr int kMaxDepth = 64;
  try {
    return Json::parse(text, [](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxDepth)
        fail("model_config nests deeper than " + std::to_string(kMaxDepth) + " levels");
      return true;
    });
  } catch (const nlohmann::json::parse_error& e) {
    fail(std::string("model_config is not valid JSON: ") + e.what());
  }
}

Sequential model_from_config(const Json& config) {
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string() ||
      !config.contains("config"))
    fail("a model config needs \"class_name\" and \"config\", got " + excerpt(config));
  const std::string cls = config["class_name"];
  const bool sequential = cls == "Sequential";
  if (!sequential && cls != "Functional" && cls != "Model")
    fail("unsupported model class '" + cls + "'; tessera loads Sequential, Functional and Model");
  std::string name = sequential ? "sequential" : "model";  // Keras' default names
  try {
    const auto specs = sequential ? sequential_specs(config["config"], name)
                                  : functional_specs(config["config"], name);
    return build_chain(name, specs);
  } catch (const KerasFormatError&) {
    throw;
  } catch (const std::exception& e) {
    fail(std::string("cannot build model '") + name + "': " + e.what());
  }
}

Json model_config(const Sequential& model) {
  if (!model.built()) fail("model '" + model.name() + "' has no config before it is built");
  const auto& layers = model.layers();
  Json entries = Json::array();
  if (layers.front()->class_name() != "InputLayer") {
    Json batch_shape = Json::array({nullptr});
    for (auto d : model.input_shape()) batch_shape.push_back(d);
    entries.push_back({{"class_name", "InputLayer"},
                       {"config", {{"batch_input_shape", batch_shape}, {"dtype", "float32"},
                                   {"sparse", false}, {"ragged", false},
                                   {"name", layers.front()->name() + "_input"}}}});
  }
  for (const auto& l : layers) entries.push_back({{"class_name", l->class_name()}, {"config", l->get_config()}});
  return {{"class_name", "Sequential"}, {"config", {{"name", model.name()}, {"layers", entries}}}};
}

Sequential load_model(const std::string& path, bool compile) {
  try {
    H5File f(path);
    if (!f.has_attribute("/", "model_config"))
      fail(path + ": not a Keras model file (no model_config attribute" +
           std::string(has_list(f, "/", "layer_names") ? "; it holds weights only, see load_weights)" : ")"));
    Json config;
    try {
      config = parse_model_config(f.read_string("/", "model_config"));
    } catch (const KerasFormatError& e) {
      fail(path + ": " + e.what());
    }
    if (!f.is_group("/model_weights")) fail(path + ": no model_weights group");
    Sequential model;
    try {
      model = model_from_config(config);
    } catch (const KerasFormatError& e) {
      fail(path + ": " + e.what());
    }
    load_weights_from(f, model, false);
    if (compile && f.has_attribute("/", "training_config")) {
      try {
        compile_from_training_config(model, Json::parse(f.read_string("/", "training_config")));
      } catch (const nlohmann::json::parse_error& e) {
        fail(path + ": training_config is not valid JSON: " + e.what());
      } catch (const KerasFormatError& e) {
        fail(path + ": " + e.what());
      }
    }
    return model;
  } catch (const H5Error& e) {
    fail(e.what());  // names the file already
  }
}

void load_weights(Sequential& model, const std::string& path, bool by_name) {
  try {
    load_weights_from(H5File(path), model, by_name);
  } catch (const H5Error& e) {
    fail(e.what());
  }
}

void save_weights(const Sequential& model, const std::string& path) {
  try {
    H5Writer out(path);
    write_weights(out, "/", model);
    out.commit();
  } catch (const H5Error& e) {
    fail(e.what());
  }
}

void save_model(const Sequential& model, const std::string& path, const Json* training_config) {
  const Json config = model_config(model);
  const Json compiled = !training_config && model.compiled() ? tessera::training_config(model) : Json();
  if (!compiled.is_null()) training_config = &compiled;
  try {
    H5Writer out(path);
    // Keras writes the version and backend as Python str (UTF-8), the JSON as bytes (ASCII).
    out.write_string("/", "backend", kKerasBackend, Charset::utf8);
    out.write_string("/", "keras_version", kKerasVersion, Charset::utf8);
    out.write_string("/", "model_config", config.dump(), Charset::ascii);
    if (training_config)
      out.write_string("/", "training_config", training_config->dump(), Charset::ascii);
    out.create_group("/model_weights");
    write_weights(out, "/model_weights", model);
    out.commit();
  } catch (const H5Error& e) {
    fail(e.what());
  }
}

std::shared_ptr<ModelCheckpoint> model_checkpoint(std::string path, ModelCheckpointOptions options) {
  return std::make_shared<ModelCheckpoint>(
      std::move(path), [](const Sequential& model, const std::string& to) { save_model(model, to); },
      std::move(options));
}

}  // namespace tessera
