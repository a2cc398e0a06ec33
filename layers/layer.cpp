#include "layers/layer.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

#include "core/memory_limit.hpp"
#include "core/threads.hpp"

namespace tessera {

void Layer::build(const Shape& input_shape, Generator& gen) {
  if (built_) {
    if (input_shape != input_shape_)
      fail("already built for input shape " + shape_str(input_shape_) + ", got " +
           shape_str(input_shape));
    return;
  }
  output_shape_ = compute_output_shape(input_shape);
  build_weights(input_shape, gen);
  input_shape_ = input_shape;
  built_ = true;
}

Variable Layer::operator()(const Variable& x, bool training) {
  if (!built_) fail("called before build()");
  spread_threads_once();  // layers start the library's parallel work
  const Shape s = x.shape();
  if (s.size() != input_shape_.size() + 1 || !std::equal(input_shape_.begin(), input_shape_.end(), s.begin() + 1)) {
    Shape expected = input_shape_;
    expected.insert(expected.begin(), 0);
    std::string exp = shape_str(expected);
    exp.replace(1, 1, "None");
    fail("expected input of shape " + exp + ", got " + shape_str(s));
  }
  return call(x, training);
}

std::size_t Layer::count_params() const {
  std::size_t n = 0;
  for (const auto& w : weights_) n += w.variable.size();
  return n;
}

std::size_t Layer::count_trainable_params() const {
  if (!trainable) return 0;
  std::size_t n = 0;
  for (const auto& w : weights_)
    if (w.trainable) n += w.variable.size();
  return n;
}

Json Layer::get_config() const {
  return Json{{"name", name_}, {"trainable", trainable}, {"dtype", "float32"}};
}

void Layer::build_weights(const Shape&, Generator&) {}

Variable Layer::add_weight(const std::string& name, const Shape& shape, const InitializerPtr& init,
                           Generator& gen, RegularizerPtr regularizer, ConstraintPtr constraint,
                           bool trainable) {
  reserve_memory(shape, class_name() + " '" + name_ + "': weight '" + name + "'");
  Tensor value = init ? (*init)(shape, gen) : zeros(shape);
  expect_shape(value, shape, class_name() + " '" + name_ + "' initial " + name);
  Variable v(std::move(value), trainable);
  weights_.push_back({name, v, trainable, std::move(regularizer), std::move(constraint)});
  return v;
}

Variable& Layer::weight(const std::string& name) {
  for (auto& w : weights_)
    if (w.name == name) return w.variable;
  fail("has no weight '" + name + "'");
}

void Layer::fail(const std::string& what) const {
  throw LayerError(class_name() + " '" + name_ + "': " + what);
}

std::string keras_snake_case(const std::string& s) {
  // Keras: re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name) then re.sub('([a-z])([A-Z])', r'\1_\2').
  std::string a;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && std::isupper((unsigned char)s[i]) && i + 1 < s.size() &&
        std::islower((unsigned char)s[i + 1]))
      a += '_';
    a += s[i];
  }
  std::string b;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && std::islower((unsigned char)a[i - 1]) && std::isupper((unsigned char)a[i]))
      b += '_';
    b += char(std::tolower((unsigned char)a[i]));
  }
  return b;
}

}  // namespace tessera
