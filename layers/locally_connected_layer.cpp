#include "layers/locally_connected_layer.hpp"

#include <nlohmann/json.hpp>


namespace tessera {

namespace {

std::string tuple_str(const std::vector<std::size_t>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

}  // namespace

LocallyConnected::LocallyConnected(std::string class_name, std::size_t rank, long filters,
                                   const LcSizes& kernel_size,
                                   const LocallyConnectedOptions& options, KernelOptions kernel)
    : Layer(kernel.name),
      class_name_(std::move(class_name)),
      rank_(rank),
      implementation_(options.implementation),
      options_(std::move(kernel)),
      activation_(make_activation(options_.activation)) {
  const std::string what = class_name_ + " '" + name() + "': ";
  if (filters <= 0) fail("filters must be positive, got " + std::to_string(filters));
  filters_ = std::size_t(filters);
  kernel_size_ = positive_tuple(kernel_size.values, rank, what + "kernel_size");
  strides_ = positive_tuple(options.strides.values, rank, what + "strides");
  padding_ = normalize_padding(options.padding, what + "padding");
  data_format_ = normalize_data_format(options.data_format, what + "data_format");
  if (!implementation_.valid())
    fail("implementation must be 1, 2, 3 or 'auto', got " + implementation_.text());
  activity_regularizer = options_.activity_regularizer;
}

int LocallyConnected::storage_implementation() const {
  return implementation_.is_auto() ? 1 : implementation_.number();
}

const LcEnginePtr& LocallyConnected::engine() const {
  if (!engine_) fail("has no engine before build()");
  return engine_;
}

LcPathChoice LocallyConnected::compute_path(std::size_t batch) const {
  if (implementation_.is_auto()) return choose_lc_path(*engine(), batch);
  return {implementation_.number(), "declared implementation " + implementation_.text()};
}

Shape LocallyConnected::compute_output_shape(const Shape& input_shape) const {
  const bool first = data_format_ == "channels_first";
  if (input_shape.size() != rank_ + 1) {
    const std::string spatial = rank_ == 1 ? "steps" : "rows, cols";
    Shape shown = input_shape;
    std::string got = shape_str(shown);
    got.insert(1, input_shape.empty() ? "None" : "None, ");
    fail("expected input of shape (batch, " +
         (first ? "channels, " + spatial : spatial + ", channels") + ") for data_format '" +
         data_format_ + "', got " + got);
  }
  const std::vector<std::size_t> spatial(input_shape.begin() + (first ? 1 : 0),
                                         input_shape.end() - (first ? 0 : 1));
  for (std::size_t d = 0; d < rank_; ++d)
    if (kernel_size_[d] > spatial[d])
      fail("kernel_size " + tuple_str(kernel_size_) + " is larger than the input's spatial size " +
           tuple_str(spatial));
  return make_lc_geometry(rank_, input_shape, filters_, kernel_size_, strides_, padding_ == "same",
                          first)
      .output_shape();
}

void LocallyConnected::build_weights(const Shape& input_shape, Generator& gen) {
  engine_ = std::make_shared<const LcEngine>(
      make_lc_geometry(rank_, input_shape, filters_, kernel_size_, strides_, padding_ == "same",
                       data_format_ == "channels_first"));
  add_weight("kernel", engine_->kernel_shape(storage_implementation()), options_.kernel_initializer,
             gen, options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias)
    add_weight("bias", engine_->bias_shape(), options_.bias_initializer, gen,
               options_.bias_regularizer, options_.bias_constraint);
}

Variable LocallyConnected::call(const Variable& x, bool) {
  const int path = compute_path(x.value().shape(0)).path;
  const int stored = storage_implementation();
  Variable kernel = weight("kernel");
  if (path != stored) kernel = lc_convert_kernel(kernel, stored, path, engine_);
  const Variable bias = options_.use_bias ? weight("bias") : Variable();
  // relu runs inside the op, on its output in place (no activation-sized tensor of its own).
  const bool relu = activation_.name == "relu";
  const Variable y =
      lc_compute(path, x, kernel, options_.use_bias ? &bias : nullptr, engine_, relu);
  return relu ? y : activation_.fn(y);
}

Json LocallyConnected::get_config() const {
  Json config = Layer::get_config();
  config["filters"] = filters_;
  config["kernel_size"] = kernel_size_;
  config["strides"] = strides_;
  config["padding"] = padding_;
  config["data_format"] = data_format_;
  kernel_options_to_json(options_, config);
  config["implementation"] = storage_implementation();
  return config;
}

LocallyConnected::Arguments LocallyConnected::arguments_from_json(const std::string& class_name,
                                                                  std::size_t rank,
                                                                  const Json& config) {
  const std::string what = class_name + " '" + config.value("name", "") + "': ";
  auto sizes = [&](const Json& value, const std::string& key) {
    const auto v = positive_tuple(value, rank, what + key);
    return std::vector<long>(v.begin(), v.end());
  };
  Arguments a;
  a.filters = config.at("filters").get<long>();
  a.kernel_size = sizes(config.at("kernel_size"), "kernel_size");
  a.options.strides = sizes(config_value(config, "strides", 1), "strides");
  a.options.padding = config_value(config, "padding", "valid").get<std::string>();
  a.options.data_format = config_value(config, "data_format", "channels_last").get<std::string>();
  const Json& impl = config_value(config, "implementation", 1);
  if (impl.is_number_integer())
    a.options.implementation = impl.get<int>();
  else if (impl.is_string())
    a.options.implementation = impl.get<std::string>();
  else
    throw LayerError(what + "implementation must be 1, 2, 3 or 'auto', got " + impl.dump());
  a.kernel = kernel_options_from_json(config);
  return a;
}

}  // namespace tessera
