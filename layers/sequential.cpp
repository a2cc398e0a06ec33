#include "layers/sequential.hpp"

#include <sstream>

#include "core/finite.hpp"
#include "core/memory_limit.hpp"
#include "core/ops.hpp"
#include "layers/keras_config.hpp"

namespace tessera {

namespace {

// One table row; fields longer than their column wrap onto further lines, as Keras 2.11+ does.
std::string table_row(const std::vector<std::string>& fields, const std::vector<std::size_t>& widths) {
  std::string out;
  for (std::size_t line = 0;; ++line) {
    std::string text;
    bool any = false;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::size_t w = widths[i] - 1, at = line * w;
      std::string part = at < fields[i].size() ? fields[i].substr(at, w) : "";
      any |= !part.empty();
      text += part + std::string(widths[i] - part.size(), ' ');
    }
    if (!any) break;
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + '\n';
  }
  return out;
}

}  // namespace

std::string thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Sequential::Sequential(std::string name, std::uint64_t seed)
    : name_(std::move(name)), generator_(seed) {}

void Sequential::add(LayerPtr layer) {
  if (!layer) throw LayerError("Sequential '" + name_ + "': cannot add a null layer");
  if (built_)
    throw LayerError("Sequential '" + name_ + "': cannot add layer '" + layer->name() +
                     "' after build()");
  auto taken = [&](const std::string& n) {
    for (const auto& l : layers_)
      if (l->name() == n) return true;
    return false;
  };
  if (layer->name().empty()) {
    const std::string stem = keras_snake_case(layer->class_name());
    std::string candidate = stem;
    for (int i = 1; taken(candidate); ++i) candidate = stem + "_" + std::to_string(i);
    layer->set_name(candidate);
  } else if (taken(layer->name())) {
    throw LayerError("Sequential '" + name_ + "': two layers are named '" + layer->name() + "'");
  }
  layers_.push_back(std::move(layer));
}

Layer& Sequential::layer(const std::string& name) const {
  std::string names;
  for (const auto& l : layers_) {
    if (l->name() == name) return *l;
    names += (names.empty() ? "" : ", ") + l->name();
  }
  throw LayerError("Sequential '" + name_ + "' has no layer '" + name + "' (it has: " + names + ")");
}

void Sequential::build(const Shape& input_shape) {
  if (layers_.empty()) throw LayerError("Sequential '" + name_ + "': no layers to build");
  const MemoryBudget budget;  // the weights of all layers together must fit
  Shape shape = input_shape;
  for (auto& l : layers_) {
    l->build(shape, generator_);
    shape = l->output_shape();
  }
  input_shape_ = input_shape;
  built_ = true;
}

void Sequential::build() {
  if (layers_.empty()) throw LayerError("Sequential '" + name_ + "': no layers to build");
  if (!layers_.front()->declared_input_shape)
    throw LayerError("Sequential '" + name_ + "': the first layer '" + layers_.front()->name() +
                     "' declares no input shape; call build(input_shape)");
  build(*layers_.front()->declared_input_shape);
}

void Sequential::require_built(const char* what) const {
  if (!built_)
    throw LayerError("Sequential '" + name_ + "': " + what + " needs a built model (call build)");
}

Shape Sequential::output_shape() const {
  require_built("output_shape");
  return layers_.back()->output_shape();
}

Variable Sequential::forward(const Variable& x, bool training,
                             std::vector<Variable>* activity_losses) const {
  require_built("forward");
  Variable h = x;
  const float batch = float(x.shape().empty() ? 1 : x.shape()[0]);
  for (const auto& l : layers_) {
    h = (*l)(h, training);
    if (l->activity_regularizer && activity_losses)
      activity_losses->push_back(scale((*l->activity_regularizer)(h), 1.0f / batch));
  }
  return h;
}

Tensor Sequential::predict(const Tensor& x, std::size_t batch_size, bool allow_nan) const {
  require_built("predict");
  if (batch_size == 0) throw std::invalid_argument("predict: batch_size must be positive");
  const Shape in = shape_of(x);
  if (in.size() != input_shape_.size() + 1 || !std::equal(input_shape_.begin(), input_shape_.end(), in.begin() + 1))
    throw ShapeError("Sequential '" + name_ + "': expected input of shape " +
                     batch_shape_str(input_shape_) + ", got " + shape_str(in));
  if (!allow_nan) require_finite(x, "predict: the input", "pass allow_nan to accept it");
  NoGradGuard no_grad;
  const std::size_t n = in[0], per_sample = n ? x.size() / n : 0;
  Shape out_shape = output_shape();
  out_shape.insert(out_shape.begin(), n);
  // A config can ask for any activation size (UpSampling by 10^6): refuse before allocating.
  reserve_memory(out_shape, "predict: Sequential '" + name_ + "' output");
  for (const auto& l : layers_) {
    Shape activation = l->output_shape();
    activation.insert(activation.begin(), std::min(n, batch_size));
    reserve_memory(activation, "predict: " + l->class_name() + " '" + l->name() + "' output");
  }
  Tensor out = Tensor::from_shape(out_shape);
  const std::size_t out_per_sample = n ? out.size() / n : 0;
  for (std::size_t at = 0; at < n; at += batch_size) {
    const std::size_t end = std::min(n, at + batch_size);
    Shape batch_shape = in;
    batch_shape[0] = end - at;
    Tensor batch = Tensor::from_shape(batch_shape);
    std::copy_n(x.data() + at * per_sample, (end - at) * per_sample, batch.data());
    const Tensor y = forward(Variable(std::move(batch)), false).value();
    std::copy_n(y.data(), y.size(), out.data() + at * out_per_sample);
  }
  return out;
}

std::size_t Sequential::count_params() const {
  std::size_t n = 0;
  for (const auto& l : layers_) n += l->count_params();
  return n;
}

std::size_t Sequential::count_trainable_params() const {
  std::size_t n = 0;
  for (const auto& l : layers_) n += l->count_trainable_params();
  return n;
}

std::string Sequential::summary() const {
  require_built("summary");
  // Keras' columns for a sequential model: 45%, 85%, 100% of 65 characters.
  const std::vector<std::size_t> widths = {29, 26, 10};
  const std::size_t line = 65;
  std::ostringstream out;
  out << "Model: \"" << name_ << "\"\n" << std::string(line, '_') << '\n'
      << table_row({"Layer (type)", "Output Shape", "Param #"}, widths) << std::string(line, '=') << '\n';
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const auto& l = *layers_[i];
    out << table_row({l.name() + " (" + l.class_name() + ")", batch_shape_str(l.output_shape()),
                      std::to_string(l.count_params())},
                     widths)
        << (i + 1 < layers_.size() ? std::string(line, '_') : std::string(line, '=')) << '\n';
  }
  const std::size_t total = count_params(), trainable = count_trainable_params();
  out << "Total params: " << thousands(total) << '\n'
      << "Trainable params: " << thousands(trainable) << '\n'
      << "Non-trainable params: " << thousands(total - trainable) << '\n'
      << std::string(line, '_') << '\n';
  return out.str();
}

std::vector<Tensor> Sequential::get_weights() const {
  std::vector<Tensor> out;
  for (const auto& l : layers_)
    for (const auto& w : l->weights()) out.push_back(w.variable.value());
  return out;
}

void Sequential::set_weights(const std::vector<Tensor>& weights) {
  require_built("set_weights");
  std::size_t expected = 0;
  for (const auto& l : layers_) expected += l->weights().size();
  if (weights.size() != expected)
    throw LayerError("Sequential '" + name_ + "': set_weights expected " + std::to_string(expected) +
                     " arrays, got " + std::to_string(weights.size()));
  // Check every shape before changing anything, so a failure leaves the model as it was.
  std::size_t i = 0;
  for (const auto& l : layers_)
    for (const auto& w : l->weights())
      expect_shape(weights[i++], w.variable.shape(),
                   l->class_name() + " '" + l->name() + "' weight '" + w.name + "'");
  i = 0;
  for (auto& l : layers_)
    for (auto& w : l->weights()) w.variable.value() = weights[i++];
}

}  // namespace tessera
