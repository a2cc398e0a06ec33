// Keras' metrics as running means over an epoch (Keras' MeanMetricWrapper): each batch adds the
// per-sample values, result() is their mean so far.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/tensor.hpp"

namespace tessera {

class Loss;

class Metric {
 public:
  using Values = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;
  Metric(std::string name, Values values) : name_(std::move(name)), values_(std::move(values)) {}

  const std::string& name() const { return name_; }
  void update(const Tensor& y_true, const Tensor& y_pred);
  double result() const { return count_ ? total_ / double(count_) : 0.0; }
  void reset() { total_ = 0.0; count_ = 0; }

 private:
  std::string name_;
  Values values_;
  double total_ = 0.0;
  std::size_t count_ = 0;
};
using MetricPtr = std::shared_ptr<Metric>;

// A metric by Keras name: accuracy/acc (binary, categorical or sparse categorical, chosen as
// Keras does from the loss and the shapes), binary_accuracy, categorical_accuracy,
// sparse_categorical_accuracy, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy
// (k = 5), mae, mse (and their long names). Throws std::invalid_argument listing the names.
MetricPtr make_metric(const std::string& name, const Loss* loss = nullptr);

}  // namespace tessera
