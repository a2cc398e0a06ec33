// What LocallyConnected1D and LocallyConnected2D share as Keras layers: their arguments, checks,
// weights in Keras' stored layouts, forward pass (engine path + bias + activation) and config.
//
// Beyond Keras: padding 'same' works with implementation 1 too, and implementation "auto"
// stores the kernel in implementation 1's layout, picks the fastest compute path per batch
// (choose_lc_path) and writes "implementation": 1 to its config, so Keras can read the file.
#pragma once

#include <initializer_list>

#include "layers/keras_config.hpp"
#include "layers/locally_connected.hpp"

namespace tessera {

// An int or a tuple, as Keras takes kernel_size and strides: 3 or {3, 2}.
struct LcSizes {
  LcSizes(long value) : values{value} {}
  LcSizes(std::initializer_list<long> list) : values(list) {}
  LcSizes(std::vector<long> list) : values(std::move(list)) {}
  std::vector<long> values;
};

// The locally connected arguments that KernelOptions does not hold, with Keras' defaults.
struct LocallyConnectedOptions {
  LcSizes strides = 1;
  std::string padding = "valid";              // or "same" (any case)
  std::string data_format = "channels_last";  // or "channels_first"
  LcImplementation implementation = 1;        // 1, 2, 3 or "auto"
};

class LocallyConnected : public Layer {
 public:
  std::string class_name() const final { return class_name_; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

  std::size_t filters() const { return filters_; }
  const std::vector<std::size_t>& kernel_size() const { return kernel_size_; }
  const std::vector<std::size_t>& strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }
  const LcImplementation& implementation() const { return implementation_; }
  // The implementation whose layout the stored kernel has: the declared one, 1 for "auto".
  int storage_implementation() const;
  // The compute path a batch of `batch` samples takes, and why. Requires a built layer.
  LcPathChoice compute_path(std::size_t batch) const;
  const LcEnginePtr& engine() const;  // requires a built layer

 protected:
  LocallyConnected(std::string class_name, std::size_t rank, long filters,
                   const LcSizes& kernel_size, const LocallyConnectedOptions& options,
                   KernelOptions kernel);

  // The constructor's arguments from a Keras config ("implementation" absent → 1).
  struct Arguments {
    long filters = 0;
    std::vector<long> kernel_size;
    LocallyConnectedOptions options;
    KernelOptions kernel;
  };
  static Arguments arguments_from_json(const std::string& class_name, std::size_t rank,
                                       const Json& config);

  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;

 private:
  std::string class_name_;
  std::size_t rank_;
  std::size_t filters_ = 0;
  std::vector<std::size_t> kernel_size_, strides_;
  std::string padding_, data_format_;
  LcImplementation implementation_;
  KernelOptions options_;
  NamedActivation activation_;
  LcEnginePtr engine_;
};

}  // namespace tessera
