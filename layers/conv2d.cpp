#include "layers/conv2d.hpp"

namespace tessera {

Conv2D::Conv2D(std::size_t filters, std::vector<long> kernel_size, ConvOptions conv,
               KernelOptions options)
    : Conv("Conv2D", 2, filters, kernel_size, std::move(conv), std::move(options)) {}

LayerPtr Conv2D::from_config(const Json& config) {
  return make_from_config<Conv2D>("Conv2D", 2, config);
}

}  // namespace tessera
