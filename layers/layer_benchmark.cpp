#include "layers/layer_benchmark.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "core/random.hpp"
#include "layers/conv2d.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/locally_connected1d.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/sequential.hpp"

namespace tessera {

namespace {

double product(const Shape& s) {
  double n = 1;
  for (auto v : s) n *= double(v);
  return n;
}

// A linear layer y = x·W + b applied per output, where `macs` multiply-adds per sample connect
// n_in inputs to n_out outputs through `weights` stored values and `biases` biases.
BenchWork linear_work(double batch, double n_in, double n_out, double macs, double weights,
                      double biases, bool backward) {
  BenchWork w;
  w.flops = 2 * batch * macs;
  w.bytes = 4 * (batch * n_in + weights + biases + batch * n_out);
  if (backward) {
    // dx and dW products; reads dy, x, W and writes dx, dW, db.
    w.flops += 4 * batch * macs;
    w.bytes += 4 * (batch * n_out + batch * n_in + weights + batch * n_in + weights + biases);
  }
  return w;
}

constexpr std::size_t kMlpUnits[] = {256, 128, 10};
constexpr std::size_t kDemoSteps = 32;  // batches per fit() of the demo case
constexpr std::size_t kClasses = 10;

}  // namespace

namespace {

// The best of three runs of `run`, in seconds.
template <class Run>
double best_seconds(Run run) {
  double best = 1e30;
  for (int trial = 0; trial < 3; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

}  // namespace

MachineLimits measure_machine_limits() {
  using Vec = xsimd::batch<float>;
  // 12 independent FMA chains per thread cover the FMA latency on both FMA pipes and still fit
  // the 16 vector registers with the two constants.
  constexpr int kChains = 12;
  constexpr long kIterations = 1L << 22;
  volatile float sink = 0;
  int threads = 1;
  const double fma_seconds = best_seconds([&] {
#pragma omp parallel
    {
#pragma omp single
      threads = omp_get_num_threads();
      Vec acc[kChains];
      for (int j = 0; j < kChains; ++j) acc[j] = Vec(float(j));
      const Vec scale(0.999999f), shift(1e-7f);
      for (long i = 0; i < kIterations; ++i)
        for (int j = 0; j < kChains; ++j) acc[j] = xsimd::fma(acc[j], scale, shift);
      float total = 0;
      for (int j = 0; j < kChains; ++j) total += xsimd::hadd(acc[j]);
#pragma omp critical
      sink = sink + total;
    }
  });
  MachineLimits limits;
  limits.flops_per_second =
      double(threads) * double(kIterations) * kChains * double(Vec::size) * 2 / fma_seconds;

  // Each thread reads its share as 4 streams side by side: with one stream per thread this
  // measured 14–20 GB/s on this project's VM, with four 21–32 GB/s (30 is the figure;
  // a single stream per thread leaves the memory system idle between its requests).
  constexpr std::size_t kStreams = 4;
  const std::size_t floats = (std::size_t(128) << 20) / sizeof(float);
  std::vector<float> buffer(floats, 1.0f);
  const std::size_t stream = floats / std::size_t(threads) / kStreams / Vec::size * Vec::size;
  const double read_seconds = best_seconds([&] {
#pragma omp parallel num_threads(threads)
    {
      const float* share = buffer.data() + std::size_t(omp_get_thread_num()) * kStreams * stream;
      Vec acc[kStreams];
      for (std::size_t j = 0; j < kStreams; ++j) acc[j] = Vec(0.0f);
      for (std::size_t i = 0; i < stream; i += Vec::size)
        for (std::size_t j = 0; j < kStreams; ++j)
          acc[j] += Vec::load_unaligned(share + j * stream + i);
      const float total = xsimd::hadd(acc[0] + acc[1] + acc[2] + acc[3]);
#pragma omp critical
      sink = sink + total;
    }
  });
  limits.bytes_per_second =
      double(std::size_t(threads) * kStreams * stream * sizeof(float)) / read_seconds;
  return limits;
}

BenchFigures bench_figures(const BenchWork& work, double seconds, const MachineLimits& limits) {
  BenchFigures f;
  f.seconds = seconds;
  f.gflops_per_second = seconds > 0 ? work.flops / seconds / 1e9 : 0;
  const double compute = work.flops / limits.flops_per_second;
  const double memory = work.bytes / limits.bytes_per_second;
  f.bound_seconds = std::max(compute, memory);
  f.compute_bound = compute >= memory;
  f.fraction = seconds > 0 ? f.bound_seconds / seconds : 0;
  return f;
}

LayerBench::LayerBench(const LayerBenchSpec& spec) : spec_(spec) {
  const std::string& kind = spec.layer;
  const std::size_t rank =
      kind == "lc2d" || kind == "conv2d" || kind == "demo" ? 3 : kind == "lc1d" ? 2 : 1;
  if (kind != "lc2d" && kind != "lc1d" && kind != "conv2d" && kind != "dense" && kind != "mlp" &&
      kind != "demo")
    throw std::invalid_argument("layer must be lc2d, lc1d, conv2d, dense, mlp or demo, got '" +
                                kind + "'");
  if (spec.input.size() != rank)
    throw std::invalid_argument(kind + " needs an input of " + std::to_string(rank) +
                                " dimension(s) per sample, got " + shape_str(spec.input));
  if (spec.batch == 0 || spec.filters == 0 || spec.kernel == 0)
    throw std::invalid_argument("batch, filters and kernel must be positive");
  const bool lc = kind == "lc2d" || kind == "lc1d";
  if (!lc && kind != "demo" && spec.implementation != "auto")
    throw std::invalid_argument("implementation applies to lc2d, lc1d and demo only");

  Generator gen(7);
  const double B = double(spec.batch), n_in = product(spec.input);
  Shape batch_shape = spec.input;
  batch_shape.insert(batch_shape.begin(), samples());
  x_ = gen.uniform(batch_shape, -1, 1);

  if (kind == "mlp" || kind == "demo") {
    build_model(gen);
    return;
  }

  KernelOptions options;
  options.name = kind;  // errors name the layer as the spec does
  const std::size_t k = spec.kernel, F = spec.filters;
  if (kind == "dense") {
    layer_ = std::make_shared<Dense>(F, options);
  } else if (kind == "conv2d") {
    layer_ = std::make_shared<Conv2D>(F, std::vector<long>{long(k), long(k)}, ConvOptions{},
                                      options);
  } else {
    LocallyConnectedOptions lc_options;
    lc_options.implementation = LcImplementation(spec.implementation);
    if (kind == "lc2d")
      layer_ = std::make_shared<LocallyConnected2D>(long(F), LcSizes{long(k), long(k)},
                                                    lc_options, options);
    else
      layer_ = std::make_shared<LocallyConnected1D>(long(F), LcSizes(long(k)), lc_options,
                                                    options);
  }
  layer_->build(spec.input, gen);
  const Shape out = layer_->compute_output_shape(spec.input);
  const double n_out = product(out);
  if (lc) {
    const LcEngine& e = *static_cast<const LocallyConnected&>(*layer_).engine();
    const double connections = double(e.connections());
    work_ = linear_work(B, n_in, n_out, connections, connections, n_out, spec.backward);
    // Implementation 2's layout has a dense gradient, all of which must be written.
    if (spec.backward && path().path == 2) work_.bytes += 4 * n_in * n_out;
  } else if (kind == "conv2d") {
    const double C = double(spec.input.back()), K = double(k * k) * C;
    work_ = linear_work(B, n_in, n_out, n_out * K, K * double(F), double(F), spec.backward);
  } else {
    work_ = linear_work(B, n_in, n_out, n_in * double(F), n_in * double(F), double(F),
                        spec.backward);
  }
  // The input lives in one variable for every run (a copy per run would be the harness's cost).
  x_variable_ = Variable(std::move(x_), spec.backward);
  const double weights = double(layer_->count_params());
  work_.needed_bytes = 4 * (B * n_in + weights + B * n_out);
  if (spec.backward) work_.needed_bytes += 4 * (B * n_out + B * n_in + weights);  // dy, dx, dW
  // The harness keeps the seed it copies for each run (prepare()); the copy becomes dy.
  if (spec.backward) work_.harness_bytes = 4 * B * n_out;
  Shape y_shape = out;
  y_shape.insert(y_shape.begin(), spec.batch);
  seed_ = gen.uniform(y_shape, -1, 1);
}

LayerBench::~LayerBench() = default;

std::size_t LayerBench::samples() const {
  return spec_.layer == "demo" ? kDemoSteps * spec_.batch : spec_.batch;
}

// mlp: Dense 784-256-128-10 (relu, relu, linear) trained with SGD one batch per run. demo:
// LocallyConnected2D(filters, kernel, relu, auto) → Flatten → Dense(10, softmax) trained with
// Adam through fit(), kDemoSteps batches per run. Both use sparse categorical crossentropy.
void LayerBench::build_model(Generator& gen) {
  const LayerBenchSpec& spec = spec_;
  const double B = double(samples());
  model_ = std::make_unique<Sequential>(spec.layer, 7);
  // Per sample: multiply-adds of the products, weights and activations of each layer.
  double macs = 0, first_macs = 0, weights = 0, activations = 0;
  double in = product(spec.input);
  auto add_dense = [&](std::size_t units, const std::string& activation) {
    KernelOptions options;
    options.activation = activation;
    model_->add(std::make_shared<Dense>(units, options));
    macs += in * double(units);
    weights += in * double(units) + double(units);
    activations += double(units);
    in = double(units);
  };
  if (spec.layer == "mlp") {
    add_dense(kMlpUnits[0], "relu");
    first_macs = macs;
    add_dense(kMlpUnits[1], "relu");
    add_dense(kMlpUnits[2], "linear");
  } else {
    KernelOptions options;
    options.activation = "relu";
    LocallyConnectedOptions lc_options;
    lc_options.implementation = LcImplementation(spec.implementation);
    auto lc = std::make_shared<LocallyConnected2D>(
        long(spec.filters), LcSizes{long(spec.kernel), long(spec.kernel)}, lc_options, options);
    model_->add(lc);
    model_->add(std::make_shared<Flatten>());
    const double lc_outputs = product(lc->compute_output_shape(spec.input));
    in = lc_outputs;
    add_dense(kClasses, "softmax");
    model_->build(spec.input);
    const double connections = double(lc->engine()->connections());
    macs += connections;
    first_macs = connections;
    weights += connections + lc_outputs;
    activations += lc_outputs;
  }
  if (!model_->built()) model_->build(spec.input);
  model_->compile(spec.layer == "mlp" ? "sgd" : "adam", "sparse_categorical_crossentropy");
  y_target_ = zeros({samples()});
  for (std::size_t b = 0; b < samples(); ++b) y_target_(b) = float(gen.uniform_index(kClasses));
  // Forward; then weight gradients, input gradients of all but the first layer, the update.
  // Bytes: the batch, activations written and read back, weights read twice, gradients
  // written and the update's read-modify-write.
  // Must exist: the samples, weights with their gradients and optimizer slots (Adam's two,
  // none for plain SGD), one batch's activations and their gradients.
  const double slots = spec.layer == "mlp" ? 0 : 2, batch = double(spec.batch);
  work_.needed_bytes =
      4 * (B * product(spec.input) + weights * (2 + slots) + 2 * batch * activations);
  work_.flops = 2 * B * macs;
  work_.bytes = 4 * (B * product(spec.input) + weights + B * activations);
  if (spec.backward) {
    work_.flops += 2 * B * macs + 2 * B * (macs - first_macs);
    work_.bytes += 4 * (2 * B * activations + B * product(spec.input) + 4 * weights);
  }
}

void LayerBench::run() {
  if (model_) {
    if (spec_.layer == "demo" && spec_.backward) {
      FitOptions options;
      options.batch_size = spec_.batch;
      options.verbose = 0;
      model_->fit(x_, y_target_, options);
    } else if (spec_.backward) {
      model_->train_on_batch(x_, y_target_);
    } else {
      NoGradGuard no_grad;
      model_->forward(Variable(x_), false);
    }
    return;
  }
  if (!spec_.backward) {
    NoGradGuard no_grad;
    (*layer_)(x_variable_, false);
    return;
  }
  for (auto& w : layer_->weights()) w.variable.zero_grad();
  x_variable_.zero_grad();
  if (!prepared_) prepare();  // run() without prepare() still works
  prepared_ = false;
  (*layer_)(x_variable_, true).backward(std::move(next_seed_));
}

void LayerBench::prepare() {
  if (model_ || !spec_.backward) return;
  next_seed_ = seed_;
  prepared_ = true;
}

std::string LayerBench::label() const {
  std::string shape;
  for (auto v : spec_.input) shape += (shape.empty() ? "" : "x") + std::to_string(v);
  const std::string batch = ", batch " + std::to_string(spec_.batch);
  if (spec_.layer == "mlp") return "Dense MLP " + shape + "-256-128-10" + batch;
  if (spec_.layer == "demo")
    return "LocallyConnected2D(" + std::to_string(spec_.filters) + ", " +
           std::to_string(spec_.kernel) + "x" + std::to_string(spec_.kernel) +
           ", implementation " + spec_.implementation + ") -> Dense(10) on " + shape +
           ", fit() of " + std::to_string(samples()) + " samples" + batch;
  std::string s = layer_->class_name() + " " + shape + " -> " + std::to_string(spec_.filters);
  if (spec_.layer == "lc2d" || spec_.layer == "conv2d")
    s += ", " + std::to_string(spec_.kernel) + "x" + std::to_string(spec_.kernel);
  else if (spec_.layer == "lc1d")
    s += ", kernel " + std::to_string(spec_.kernel);
  if (spec_.layer == "lc2d" || spec_.layer == "lc1d")
    s += ", implementation " + spec_.implementation;
  return s + batch;
}

LcPathChoice LayerBench::path() const {
  const Layer* first = model_ ? model_->layers().front().get() : layer_.get();
  const auto* lc = dynamic_cast<const LocallyConnected*>(first);
  if (!lc) return {0, "not a LocallyConnected layer"};
  return lc->compute_path(spec_.batch);
}

void reset_peak_resident() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";  // resets the peak resident size to the current one
}

namespace {

std::size_t status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == field) {
      std::size_t kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

}  // namespace

std::size_t peak_resident_bytes() { return status_kib("VmHWM:") * 1024; }

Resident resident_now() { return {status_kib("RssAnon:") * 1024, status_kib("RssFile:") * 1024}; }

double run_memory_bytes(const Resident& start, std::size_t peak, const Resident& at_reset,
                        double harness_bytes) {
  return std::max(0.0, double(peak) - double(at_reset.file) - double(start.anonymous) - harness_bytes);
}

}  // namespace tessera
