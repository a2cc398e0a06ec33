#include "layers/permute.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

Permute::Permute(std::vector<std::size_t> dims, std::string name)
    : Layer(std::move(name)), dims_(std::move(dims)) {
  std::vector<std::size_t> sorted = dims_;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != i + 1) {
      std::string s = "(";
      for (std::size_t j = 0; j < dims_.size(); ++j) s += (j ? ", " : "") + std::to_string(dims_[j]);
      fail("dims must be a permutation of 1.." + std::to_string(dims_.size()) + ", got " + s + ")");
    }
}

LayerPtr Permute::from_config(const Json& config) {
  std::vector<std::size_t> dims;
  for (const auto& d : config.at("dims")) dims.push_back(d.get<long>() < 0 ? 0 : d.get<std::size_t>());
  auto layer = std::make_shared<Permute>(std::move(dims), config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Shape Permute::compute_output_shape(const Shape& input_shape) const {
  if (input_shape.size() != dims_.size())
    fail("expected an input of rank " + std::to_string(dims_.size() + 1) +
         " (with batch), got input shape " + batch_shape_str(input_shape));
  Shape out;
  for (std::size_t d : dims_) out.push_back(input_shape[d - 1]);
  return out;
}

Variable Permute::call(const Variable& x, bool) {
  std::vector<std::size_t> perm = {0};
  perm.insert(perm.end(), dims_.begin(), dims_.end());
  return transpose(x, perm);
}

Json Permute::get_config() const {
  Json config = Layer::get_config();
  config["dims"] = dims_;
  return config;
}

}  // namespace tessera
