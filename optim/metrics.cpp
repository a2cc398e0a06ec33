#include "optim/metrics.hpp"

#include <algorithm>
#include <map>

#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>

#include "optim/losses.hpp"

namespace tessera {

namespace {

std::size_t classes(const Tensor& y_pred) { return y_pred.dimension() ? y_pred.shape().back() : 1; }

// Index of the largest entry of each row of the last axis (the first on ties, like argmax).
std::vector<std::size_t> row_argmax(const Tensor& t) {
  const std::size_t c = classes(t), rows = c ? t.size() / c : 0;
  std::vector<std::size_t> out(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = t.data() + r * c;
    out[r] = std::size_t(std::max_element(row, row + c) - row);
  }
  return out;
}

Shape row_shape(const Tensor& y_pred) {
  Shape s = shape_of(y_pred);
  if (!s.empty()) s.pop_back();
  return s;
}

Tensor binary_accuracy(const Tensor& t, const Tensor& p) {
  Tensor hits = xt::cast<float>(xt::equal(t, xt::cast<float>(p > 0.5f)));
  return xt::mean(hits, {hits.dimension() - 1});
}

Tensor categorical_accuracy(const Tensor& t, const Tensor& p) {
  const auto a = row_argmax(t), b = row_argmax(p);
  Tensor out = Tensor::from_shape(row_shape(p));
  for (std::size_t i = 0; i < a.size(); ++i) out.data()[i] = a[i] == b[i] ? 1.0f : 0.0f;
  return out;
}

// Labels as one class index per row of the predictions.
const float* labels(const Tensor& t, const Tensor& p) {
  const std::size_t rows = p.size() / classes(p);
  if (t.size() != rows)
    throw ShapeError("sparse accuracy: " + std::to_string(t.size()) + " labels for predictions of shape " +
                     shape_str(p));
  return t.data();
}

Tensor sparse_categorical_accuracy(const Tensor& t, const Tensor& p) {
  const auto b = row_argmax(p);
  const float* l = labels(t, p);
  Tensor out = Tensor::from_shape(row_shape(p));
  for (std::size_t i = 0; i < b.size(); ++i) out.data()[i] = float(b[i]) == l[i] ? 1.0f : 0.0f;
  return out;
}

// 1 where the label's score is among the k largest (ties count in the label's favour, as
// TensorFlow's in_top_k).
Tensor top_k_from_labels(const float* l, const Tensor& p, std::size_t k) {
  const std::size_t c = classes(p), rows = p.size() / c;
  Tensor out = Tensor::from_shape(row_shape(p));
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = p.data() + r * c;
    const float target = row[std::size_t(l[r])];
    const auto larger = std::count_if(row, row + c, [&](float v) { return v > target; });
    out.data()[r] = std::size_t(larger) < k ? 1.0f : 0.0f;
  }
  return out;
}

Tensor top_k_categorical(const Tensor& t, const Tensor& p) {
  const auto a = row_argmax(t);
  std::vector<float> l(a.begin(), a.end());
  return top_k_from_labels(l.data(), p, 5);
}

Tensor sparse_top_k(const Tensor& t, const Tensor& p) { return top_k_from_labels(labels(t, p), p, 5); }

Tensor absolute_error(const Tensor& t, const Tensor& p) {
  return xt::mean(xt::abs(p - t), {p.dimension() - 1});
}

Tensor squared_error(const Tensor& t, const Tensor& p) {
  return xt::mean(xt::square(p - t), {p.dimension() - 1});
}

// Keras' choice for "accuracy": binary for a binary crossentropy or a single output, sparse
// when the targets have no class axis, categorical otherwise.
Tensor any_accuracy(const Tensor& t, const Tensor& p, bool binary_loss) {
  if (binary_loss || classes(p) == 1) return binary_accuracy(t, p);
  const bool sparse = t.dimension() < p.dimension() || (t.dimension() && t.shape().back() == 1);
  return sparse ? sparse_categorical_accuracy(t, p) : categorical_accuracy(t, p);
}

}  // namespace

void Metric::update(const Tensor& y_true, const Tensor& y_pred) {
  const Tensor v = values_(y_true, y_pred);
  total_ += xt::sum(xt::cast<double>(v))();
  count_ += v.size();
}

MetricPtr make_metric(const std::string& name, const Loss* loss) {
  static const std::map<std::string, Metric::Values> table = {
      {"binary_accuracy", binary_accuracy},
      {"categorical_accuracy", categorical_accuracy},
      {"sparse_categorical_accuracy", sparse_categorical_accuracy},
      {"top_k_categorical_accuracy", top_k_categorical},
      {"sparse_top_k_categorical_accuracy", sparse_top_k},
      {"mae", absolute_error},
      {"mean_absolute_error", absolute_error},
      {"mse", squared_error},
      {"mean_squared_error", squared_error},
  };
  if (name == "accuracy" || name == "acc") {
    const bool binary = loss && loss->name() == "binary_crossentropy";
    return std::make_shared<Metric>(name, [binary](const Tensor& t, const Tensor& p) {
      return any_accuracy(t, p, binary);
    });
  }
  auto it = table.find(name);
  if (it == table.end()) {
    std::string list = "accuracy";
    for (const auto& [n, f] : table) list += ", " + n;
    throw std::invalid_argument("unknown metric '" + name + "'; supported: " + list);
  }
  return std::make_shared<Metric>(name, it->second);
}

}  // namespace tessera
