// Sequential: a stack of layers, as keras.Sequential. It owns the layers, names them as Keras
// does ("dense", "dense_1", ...), builds them in order from the input shape, runs the forward
// pass, counts parameters and prints Keras' summary table. Training (compile/fit/evaluate) is
// declared here and lives in optim/training.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "layers/layer.hpp"
#include "optim/callbacks.hpp"
#include "optim/losses.hpp"
#include "optim/metrics.hpp"
#include "optim/optimizer.hpp"

namespace tessera {

// Keras' fit arguments, with Keras' defaults.
struct FitOptions {
  std::size_t batch_size = 32;
  std::size_t epochs = 1;
  bool shuffle = true;
  double validation_split = 0.0;  // the last fraction of x/y, taken before shuffling (double, as Python)
  const Tensor* validation_x = nullptr;  // validation_data, used instead of a split
  const Tensor* validation_y = nullptr;
  std::vector<CallbackPtr> callbacks;
  int verbose = -1;  // 0 silent, 1 progress bar, 2 one line per epoch, -1: 1 on a terminal else 2
  std::size_t initial_epoch = 0;
  // NaN or Inf in x, y or the validation data is refused (naming the first bad index) unless
  // set: Keras trains on them silently and ends with NaN weights.
  bool allow_nan = false;
};

// Per-epoch logs of fit: history["loss"][i] is the loss of epoch epochs[i].
struct History {
  std::vector<std::size_t> epochs;
  std::map<std::string, std::vector<double>> history;
};

class Sequential {
 public:
  explicit Sequential(std::string name = "sequential", std::uint64_t seed = 0);
  Sequential(const Sequential&) = delete;
  Sequential& operator=(const Sequential&) = delete;
  Sequential(Sequential&&) = default;
  Sequential& operator=(Sequential&&) = default;

  const std::string& name() const { return name_; }
  // Appends a layer; an unnamed layer gets Keras' automatic name, unique in this model.
  // Throws LayerError when the name is taken.
  void add(LayerPtr layer);
  const std::vector<LayerPtr>& layers() const { return layers_; }
  // The layer called `name`; throws LayerError listing the names when there is none.
  Layer& layer(const std::string& name) const;

  // Builds every layer for `input_shape` (no batch axis). Without an argument, uses the first
  // layer's declared input shape (an InputLayer, or batch_input_shape from a Keras config).
  void build(const Shape& input_shape);
  void build();
  bool built() const { return built_; }
  const Shape& input_shape() const { return input_shape_; }
  Shape output_shape() const;

  // The forward pass on a batch; records the tape when grad mode is on. Activity regularizer
  // losses (already divided by the batch size, as Keras) are appended to `activity_losses`.
  Variable forward(const Variable& x, bool training,
                   std::vector<Variable>* activity_losses = nullptr) const;
  // Outputs for `x` in batches, without recording (Keras' predict).
  // NaN or Inf in `x` is refused (core/finite.hpp) unless `allow_nan`.
  Tensor predict(const Tensor& x, std::size_t batch_size = 32, bool allow_nan = false) const;

  std::size_t count_params() const;
  std::size_t count_trainable_params() const;
  // Keras' summary table: layer (type), output shape, params, and the totals with thousands
  // separators ("Total params: 1,612,800").
  std::string summary() const;

  // Every layer's weights in Keras' order (Keras' get_weights / set_weights).
  std::vector<Tensor> get_weights() const;
  void set_weights(const std::vector<Tensor>& weights);

  // Training (optim/training.cpp), as Keras' compile/fit/evaluate/train_on_batch. Losses are
  // the mean per-sample loss plus every weight regularizer plus activity regularizers divided by
  // the batch size; constraints run after every optimizer step.
  void compile(OptimizerPtr optimizer, LossPtr loss, std::vector<std::string> metrics = {});
  void compile(const std::string& optimizer, const std::string& loss,
               std::vector<std::string> metrics = {});
  bool compiled() const { return optimizer_ && loss_; }
  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  // Refuses NaN/Inf in x or y (as fit and predict do) unless allow_nan.
  Logs evaluate(const Tensor& x, const Tensor& y, std::size_t batch_size = 32,
                bool allow_nan = false);
  Logs train_on_batch(const Tensor& x, const Tensor& y);
  Optimizer& optimizer() const;
  const Loss& loss() const;
  const std::vector<std::string>& metric_names() const { return metric_names_; }
  bool stop_training = false;  // set by callbacks to end fit after the current step/epoch

  // The seeded generator used for initial weights, shuffling and dropout.
  Generator& generator() { return generator_; }
  void set_seed(std::uint64_t seed) { generator_.seed(seed); }

 private:
  void require_built(const char* what) const;
  void require_compiled(const char* what) const;
  // One optimizer step on a batch; updates `metrics` and returns the batch's total loss. The
  // batch becomes the graph's input as it is (fit's batches, gathered for the step, are not
  // copied again).
  double train_step(Tensor x, Tensor y, std::vector<MetricPtr>& metrics);
  std::vector<MetricPtr> fresh_metrics() const;

  std::string name_;
  std::vector<LayerPtr> layers_;
  bool built_ = false;
  Shape input_shape_;
  Generator generator_;
  OptimizerPtr optimizer_;
  LossPtr loss_;
  std::vector<std::string> metric_names_;
};

// "1,612,800"
std::string thousands(std::size_t n);

}  // namespace tessera
