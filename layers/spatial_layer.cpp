#include "layers/spatial_layer.hpp"

#include <nlohmann/json.hpp>

#include "layers/spatial_args.hpp"

namespace tessera {

SpatialLayer::SpatialLayer(std::string class_name, std::size_t rank, const std::string& data_format,
                           std::string name)
    : Layer(std::move(name)),
      rank_(rank),
      data_format_(
          normalize_data_format(data_format, class_name + " '" + this->name() + "': data_format")),
      class_name_(std::move(class_name)) {}

std::string SpatialLayer::what(const std::string& key) const {
  return class_name_ + " '" + name() + "': " + key;
}

void SpatialLayer::check_rank(const Shape& input_shape) const {
  if (input_shape.size() != rank_ + 1)
    fail("expected input of rank " + std::to_string(rank_ + 2) + " (batch, " +
         (rank_ == 1 ? "steps" : "rows, cols") + " and channels), got per-sample shape " +
         shape_str(input_shape));
}

Im2colSpec SpatialLayer::windows(const Shape& input_shape, const std::vector<std::size_t>& kernel,
                                 const std::vector<std::size_t>& strides,
                                 const std::vector<std::size_t>& dilation,
                                 const std::string& padding) const {
  check_rank(input_shape);
  try {
    return window_spec(spatial_sizes(input_shape, data_format_), kernel, strides, dilation,
                       padding);
  } catch (const std::exception& e) {
    fail("input shape " + shape_str(input_shape) + ": " + e.what());
  }
}

}  // namespace tessera
