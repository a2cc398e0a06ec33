// Sequential's compile/fit/evaluate/train_on_batch: Keras' training loop.
#include <cmath>
#include <iostream>

#include "core/finite.hpp"
#include "core/ops.hpp"
#include "io/progress.hpp"
#include "layers/sequential.hpp"

namespace tessera {

namespace {

// Rows order[begin..end) of t (first axis), as a new contiguous tensor.
Tensor take_rows(const Tensor& t, const std::vector<std::size_t>& order, std::size_t begin,
                 std::size_t end) {
  Shape shape = shape_of(t);
  const std::size_t row = shape[0] ? t.size() / shape[0] : 0;
  shape[0] = end - begin;
  Tensor out = Tensor::from_shape(shape);
  for (std::size_t i = begin; i < end; ++i)
    std::copy_n(t.data() + order[i] * row, row, out.data() + (i - begin) * row);
  return out;
}

std::vector<std::size_t> identity_order(std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  return order;
}

// The sum of every weight regularizer of the model (Keras' model.losses).
Variable regularization(const Sequential& model) {
  Variable total(zeros({}));
  for (const auto& l : model.layers())
    for (const auto& w : l->weights())
      if (w.regularizer) total = add(total, (*w.regularizer)(w.variable));
  return total;
}

void check_data(const Sequential& model, const Tensor& x, const Tensor& y, const char* what) {
  if (x.dimension() == 0 || y.dimension() == 0 || x.shape(0) != y.shape(0))
    throw ShapeError(std::string(what) + ": x of shape " + shape_str(x) + " and y of shape " +
                     shape_str(y) + " must have the same number of samples");
  if (x.shape(0) == 0) throw ShapeError(std::string(what) + ": no samples");
  const Shape in = shape_of(x);
  if (model.built() && Shape(in.begin() + 1, in.end()) != model.input_shape()) {
    Shape expected = model.input_shape();
    expected.insert(expected.begin(), x.shape(0));
    throw ShapeError(std::string(what) + ": expected x of shape " + shape_str(expected) +
                     " (model input), got " + shape_str(in));
  }
}

}  // namespace

void Sequential::compile(OptimizerPtr optimizer, LossPtr loss, std::vector<std::string> metrics) {
  if (!optimizer || !loss) throw std::invalid_argument("compile: optimizer and loss are required");
  for (const auto& m : metrics) make_metric(m, loss.get());  // unknown names fail here
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
  metric_names_ = std::move(metrics);
}

void Sequential::compile(const std::string& optimizer, const std::string& loss,
                         std::vector<std::string> metrics) {
  compile(get_optimizer(optimizer), get_loss(loss), std::move(metrics));
}

void Sequential::require_compiled(const char* what) const {
  if (!compiled())
    throw std::logic_error("Sequential '" + name_ + "': " + what + " needs compile() first");
}

Optimizer& Sequential::optimizer() const {
  require_compiled("optimizer()");
  return *optimizer_;
}

const Loss& Sequential::loss() const {
  require_compiled("loss()");
  return *loss_;
}

std::vector<MetricPtr> Sequential::fresh_metrics() const {
  std::vector<MetricPtr> out;
  for (const auto& m : metric_names_) out.push_back(make_metric(m, loss_.get()));
  return out;
}

double Sequential::train_step(Tensor x, Tensor y, std::vector<MetricPtr>& metrics) {
  std::vector<Weight*> params;
  for (auto& l : layers_)
    if (l->trainable)
      for (auto& w : l->weights())
        if (w.trainable) params.push_back(&w);
  for (auto* w : params) w->variable.zero_grad();

  std::vector<Variable> activity;
  const Variable pred = forward(Variable(std::move(x)), true, &activity);
  const Variable target(std::move(y));
  Variable total = tessera::add((*loss_)(target, pred), regularization(*this));
  for (const auto& a : activity) total = tessera::add(total, a);
  const double value = total.value()();
  if (total.requires_grad()) total.backward();

  // Keras gives variables without a gradient (unused in the loss) no update: a null gradient.
  std::vector<ParamRef> refs;
  for (auto* w : params)
    refs.push_back({&w->variable.value(), w->variable.has_grad() ? &w->variable.grad() : nullptr});
  optimizer_->apply_gradients(refs);
  for (auto* w : params)
    if (w->constraint) w->constraint->apply(w->variable.value());
  for (auto& m : metrics) m->update(target.value(), pred.value());
  return value;
}

Logs Sequential::train_on_batch(const Tensor& x, const Tensor& y) {
  require_compiled("train_on_batch");
  if (!built_) build(Shape(x.shape().begin() + 1, x.shape().end()));
  check_data(*this, x, y, "train_on_batch");
  auto metrics = fresh_metrics();
  Logs logs{{"loss", train_step(x, y, metrics)}};
  for (const auto& m : metrics) logs[m->name()] = m->result();
  return logs;
}

Logs Sequential::evaluate(const Tensor& x, const Tensor& y, std::size_t batch_size,
                          bool allow_nan) {
  require_compiled("evaluate");
  require_built("evaluate");
  check_data(*this, x, y, "evaluate");
  if (batch_size == 0) throw std::invalid_argument("evaluate: batch_size must be positive");
  if (!allow_nan) {
    require_finite(x, "evaluate: x", "pass allow_nan to accept it");
    require_finite(y, "evaluate: y", "pass allow_nan to accept it");
  }
  NoGradGuard no_grad;
  auto metrics = fresh_metrics();
  const std::size_t n = x.shape(0);
  const auto order = identity_order(n);
  const double reg = regularization(*this).value()();
  double loss_sum = 0.0;
  for (std::size_t at = 0; at < n; at += batch_size) {
    const std::size_t end = std::min(n, at + batch_size);
    const Tensor xb = take_rows(x, order, at, end), yb = take_rows(y, order, at, end);
    std::vector<Variable> activity;
    const Variable pred = forward(Variable(xb), false, &activity);
    double batch_loss = (*loss_)(Variable(yb), pred).value()() + reg;
    for (const auto& a : activity) batch_loss += a.value()();
    loss_sum += batch_loss * double(end - at);  // Keras weights each batch by its size
    for (auto& m : metrics) m->update(yb, pred.value());
  }
  Logs logs{{"loss", loss_sum / double(n)}};
  for (const auto& m : metrics) logs[m->name()] = m->result();
  return logs;
}

History Sequential::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
  require_compiled("fit");
  if (options.batch_size == 0) throw std::invalid_argument("fit: batch_size must be positive");
  if (!(options.validation_split >= 0.0 && options.validation_split < 1.0))
    throw std::invalid_argument("fit: validation_split must be in [0, 1), got " +
                                std::to_string(options.validation_split));
  if (!built_) build(Shape(x.shape().begin() + 1, x.shape().end()));
  check_data(*this, x, y, "fit");
  if (!options.allow_nan) {
    const auto check = [](const Tensor* data, const char* what) {
      if (data) require_finite(*data, what, "set FitOptions::allow_nan to accept it");
    };
    check(&x, "fit: x");
    check(&y, "fit: y");
    check(options.validation_x, "fit: validation x");
    check(options.validation_y, "fit: validation y");
  }

  // Keras takes the validation split from the end, before any shuffling.
  const std::size_t n_all = x.shape(0);
  const std::size_t n = options.validation_x
                            ? n_all
                            : std::size_t(std::floor(double(n_all) * (1.0 - options.validation_split)));
  if (n == 0) throw std::invalid_argument("fit: validation_split leaves no training samples");
  Tensor val_x, val_y;
  const bool validate = (options.validation_x && options.validation_y) || n < n_all;
  if (options.validation_x && options.validation_y) {
    val_x = *options.validation_x;
    val_y = *options.validation_y;
  } else if (n < n_all) {
    const auto order = identity_order(n_all);
    val_x = take_rows(x, order, n, n_all);
    val_y = take_rows(y, order, n, n_all);
  }

  const int verbose = options.verbose < 0 ? ProgressBar::auto_verbosity() : options.verbose;
  const std::size_t steps = (n + options.batch_size - 1) / options.batch_size;
  History history;
  stop_training = false;
  for (auto& cb : options.callbacks) cb->on_train_begin(*this);
  for (std::size_t epoch = options.initial_epoch; epoch < options.epochs && !stop_training; ++epoch) {
    for (auto& cb : options.callbacks) cb->on_epoch_begin(*this, epoch);
    if (verbose) std::cout << "Epoch " << epoch + 1 << '/' << options.epochs << '\n';
    ProgressBar bar(steps, verbose, std::cout);
    const auto order = options.shuffle ? generator_.permutation(n) : identity_order(n);
    auto metrics = fresh_metrics();
    double loss_sum = 0.0;
    std::size_t seen = 0;
    Logs logs;
    for (std::size_t step = 0; step < steps && !stop_training; ++step) {
      const std::size_t at = step * options.batch_size, end = std::min(n, at + options.batch_size);
      const double loss = train_step(take_rows(x, order, at, end), take_rows(y, order, at, end), metrics);
      loss_sum += loss * double(end - at);
      seen += end - at;
      logs = {{"loss", loss_sum / double(seen)}};
      for (const auto& m : metrics) logs[m->name()] = m->result();
      for (auto& cb : options.callbacks) cb->on_batch_end(*this, step, logs);
      bar.update(step + 1, logs);
    }
    if (validate && !stop_training)
      // Checked above unless allow_nan: not again every epoch.
      for (const auto& [k, v] : evaluate(val_x, val_y, options.batch_size, true))
        logs["val_" + k] = v;
    bar.finish(logs);
    history.epochs.push_back(epoch);
    for (const auto& [k, v] : logs) history.history[k].push_back(v);
    for (auto& cb : options.callbacks) cb->on_epoch_end(*this, epoch, logs);
  }
  for (auto& cb : options.callbacks) cb->on_train_end(*this);
  return history;
}

}  // namespace tessera
