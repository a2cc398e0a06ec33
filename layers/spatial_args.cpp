#include "layers/spatial_args.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"
#include "layers/keras_config.hpp"

namespace tessera {

namespace {

bool channels_first(const std::string& data_format) { return data_format == "channels_first"; }

}  // namespace

std::string config_what(const std::string& class_name, const Json& config, const std::string& key) {
  return class_name + " '" + config_value(config, "name", "").get<std::string>() + "': " + key;
}

std::string data_format_from_json(const Json& config, const std::string& class_name) {
  // A copy: a reference would dangle when the key is absent (the fallback is a temporary).
  const Json value = config_value(config, "data_format", "channels_last");
  if (!value.is_string())
    throw LayerError(config_what(class_name, config, "data_format") + " must be a string, got " +
                     value.dump());
  return normalize_data_format(value.get<std::string>(),
                               config_what(class_name, config, "data_format"));
}

Variable to_channels_last(const Variable& x, const std::string& data_format) {
  if (!channels_first(data_format)) return x;
  const std::size_t rank = x.shape().size();
  std::vector<std::size_t> perm{0};
  for (std::size_t a = 2; a < rank; ++a) perm.push_back(a);
  perm.push_back(1);
  return transpose(x, perm);
}

Variable from_channels_last(const Variable& x, const std::string& data_format) {
  if (!channels_first(data_format)) return x;
  const std::size_t rank = x.shape().size();
  std::vector<std::size_t> perm{0, rank - 1};
  for (std::size_t a = 1; a + 1 < rank; ++a) perm.push_back(a);
  return transpose(x, perm);
}

std::size_t channels_of(const Shape& sample, const std::string& data_format) {
  return channels_first(data_format) ? sample.front() : sample.back();
}

std::vector<std::size_t> spatial_sizes(const Shape& sample, const std::string& data_format) {
  if (sample.empty()) return {};
  return channels_first(data_format) ? std::vector<std::size_t>(sample.begin() + 1, sample.end())
                                     : std::vector<std::size_t>(sample.begin(), sample.end() - 1);
}

Shape sample_shape(const std::vector<std::size_t>& spatial, std::size_t channels,
                   const std::string& data_format) {
  Shape out = spatial;
  if (channels_first(data_format))
    out.insert(out.begin(), channels);
  else
    out.push_back(channels);
  return out;
}

Im2colSpec window_spec(const std::vector<std::size_t>& sizes,
                       const std::vector<std::size_t>& kernel,
                       const std::vector<std::size_t>& strides,
                       const std::vector<std::size_t>& dilation, const std::string& padding) {
  std::vector<ConvAxis> axes;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::size_t span = (kernel[i] - 1) * dilation[i] + 1;
    axes.push_back(padding == "causal"
                       ? ConvAxis{sizes[i] == 0 ? 0 : (sizes[i] - 1) / strides[i] + 1, span - 1}
                       : conv_axis(sizes[i], kernel[i], strides[i], dilation[i], padding));
  }
  Im2colSpec s;
  const std::size_t w = sizes.size() - 1;  // the cols are the last spatial axis
  s.kernel_w = kernel[w], s.stride_w = strides[w], s.dilation_w = dilation[w];
  s.pad_left = axes[w].pad_before, s.out_w = axes[w].out;
  s.out_h = 1;
  if (sizes.size() == 2) {
    s.kernel_h = kernel[0], s.stride_h = strides[0], s.dilation_h = dilation[0];
    s.pad_top = axes[0].pad_before, s.out_h = axes[0].out;
  }
  return s;
}

std::vector<std::size_t> window_out_sizes(const Im2colSpec& spec, std::size_t rank) {
  if (rank == 1) return {spec.out_w};
  return {spec.out_h, spec.out_w};
}

Variable as_rows_cols(const Variable& x) {
  const Shape s = x.shape();
  if (s.size() == 4) return x;
  return reshape(x, {long(s[0]), 1L, long(s[1]), long(s[2])});
}

AxisPads spatial_pairs_from_json(const Json& value, std::size_t n, const std::string& what) {
  auto bad = [&]() {
    return LayerError(what + " must be an int, " + std::to_string(n) + " ints or " +
                      std::to_string(n) + " pairs of non-negative ints, got " + value.dump());
  };
  auto amount = [&](const Json& v) {
    if (!v.is_number_integer() || v.get<long>() < 0) throw bad();
    return std::size_t(v.get<long>());
  };
  auto pair = [&](const Json& v) -> std::pair<std::size_t, std::size_t> {
    if (!v.is_array() || v.size() != 2) throw bad();
    return {amount(v[0]), amount(v[1])};
  };
  if (value.is_number_integer()) return AxisPads(n, {amount(value), amount(value)});
  if (n == 1) return {pair(value)};
  if (!value.is_array() || value.size() != n) throw bad();
  AxisPads out;
  for (const Json& v : value)
    out.push_back(v.is_array() ? pair(v) : std::make_pair(amount(v), amount(v)));
  return out;
}

Json spatial_pairs_to_json(const AxisPads& pairs) {
  if (pairs.size() == 1) return Json::array({pairs[0].first, pairs[0].second});
  Json out = Json::array();
  for (const auto& [before, after] : pairs) out.push_back(Json::array({before, after}));
  return out;
}

AxisPads batched_pairs(const AxisPads& spatial, const std::string& data_format) {
  AxisPads out{{0, 0}};
  if (channels_first(data_format)) out.push_back({0, 0});
  out.insert(out.end(), spatial.begin(), spatial.end());
  if (!channels_first(data_format)) out.push_back({0, 0});
  return out;
}

}  // namespace tessera
