#include "io/training_config.hpp"

#include <nlohmann/json.hpp>

#include "io/keras_model.hpp"

namespace tessera {

namespace {

[[noreturn]] void fail_config(const std::string& what) {
  throw KerasFormatError("training_config: " + what);
}

// Keras keys loss, metrics and loss_weights per output: a list or a dict by output name. A
// single-output model has one entry; anything else is not for it.
const Json& single_output(const Json& value, const char* key) {
  if (!(value.is_array() || (value.is_object() && !value.contains("class_name")))) return value;
  if (value.size() != 1)
    fail_config(std::string(key) + " has " + std::to_string(value.size()) +
                " entries (one per output); tessera models have one output: " + value.dump());
  return value.is_array() ? value[0] : value.begin().value();
}

// Keras 2.13+ serialize a plain function as {"class_name": "function", "config": "<name>", ...}.
const Json& unwrap_function(const Json& entry) {
  const bool function = entry.is_object() && entry.value("class_name", Json()) == "function" &&
                        entry.contains("config") && entry["config"].is_string();
  return function ? entry["config"] : entry;
}

// A metric entry: a name, or a metric object whose config names it ("accuracy") or names the
// function it wraps (MeanMetricWrapper's "fn").
std::string metric_name(const Json& value) {
  const Json& entry = unwrap_function(value);
  if (entry.is_string()) return entry.get<std::string>();
  if (entry.is_object() && entry.contains("config") && entry["config"].is_object()) {
    const Json& config = entry["config"];
    for (const char* key : {"name", "fn"})
      if (config.contains(key) && config[key].is_string()) {
        const std::string name = config[key];
        try {
          make_metric(name);
          return name;
        } catch (const std::invalid_argument&) {
        }
      }
  }
  fail_config("unsupported metric " + value.dump());
}

// Metric names from a metrics value: null, a list of entries, or lists/dicts of them per output.
void collect_metrics(const Json& value, std::vector<std::string>& names) {
  if (value.is_null()) return;
  if (value.is_array() || (value.is_object() && !value.contains("class_name"))) {
    for (const auto& item : value) collect_metrics(item, names);
    return;
  }
  const std::string name = metric_name(value);
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

// Runs `make`, turning optim/'s std::invalid_argument into a KerasFormatError naming the key.
template <class F>
auto parsed(const char* key, F&& make) {
  try {
    return make();
  } catch (const std::invalid_argument& e) {
    fail_config(std::string(key) + ": " + e.what());
  }
}

// The loss as Keras writes it back: its name when it has the default config, else the object.
Json loss_json(const Loss& loss) {
  if (get_loss(loss.name())->get_config() == loss.get_config()) return loss.name();
  return {{"class_name", loss.class_name()}, {"config", loss.get_config()}};
}

}  // namespace

void compile_from_training_config(Sequential& model, const Json& config) {
  if (!config.is_object()) fail_config("must be a JSON object, got " + config.dump());
  if (!config.contains("optimizer_config")) fail_config("has no optimizer_config");
  if (!config.contains("loss") || config["loss"].is_null()) fail_config("has no loss");
  const Json loss_weights = config.value("loss_weights", Json());
  const Json& weights = single_output(loss_weights, "loss_weights");
  if (!weights.is_null() && !(weights.is_number() && weights.get<double>() == 1.0))
    fail_config("loss_weights " + config["loss_weights"].dump() + " are not supported (only 1)");
  const Json& loss_config = unwrap_function(single_output(config["loss"], "loss"));
  const Json& optimizer_config = config["optimizer_config"];
  OptimizerPtr optimizer = parsed("optimizer_config", [&] { return optimizer_from_json(optimizer_config); });
  LossPtr loss = parsed("loss", [&] { return loss_from_json(loss_config); });
  std::vector<std::string> metrics;
  collect_metrics(config.value("metrics", Json()), metrics);
  collect_metrics(config.value("weighted_metrics", Json()), metrics);
  parsed("metrics", [&] {
    model.compile(std::move(optimizer), std::move(loss), metrics);
    return 0;
  });
}

Json training_config(const Sequential& model) {
  Json metrics = model.metric_names().empty() ? Json() : Json(model.metric_names());
  return {{"loss", loss_json(model.loss())},
          {"metrics", metrics},
          {"weighted_metrics", nullptr},
          {"loss_weights", nullptr},
          {"optimizer_config", optimizer_to_json(model.optimizer())}};
}

}  // namespace tessera
