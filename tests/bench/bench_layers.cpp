// Issue 7's cases: the five LocallyConnected shapes with implementation 1, 2, 3 and auto, forward
// and forward+backward (input and weight gradients); Conv2D on the same shapes; the Dense MLP
// 784-256-128-10 training step; the demo model LC2D(16, 3x3) → Dense(10) trained through fit().
// Counters come from layers/layer_benchmark (shared with
// `tessera bench`): GFLOP/s, the roofline bound in ms and the fraction of it reached (of the
// nominal limits, and now_: of the limits measured right after the case, about a second more
// per case), samples/s and the peak resident memory of the case in MB.
//
//   build/bin/bench_layers --benchmark_filter='LC2D 32x32x3' --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include "layers/layer_benchmark.hpp"

using namespace tessera;

namespace {

struct Shape3 {
  const char* layer;
  Shape input;
  std::size_t filters, batch;
};

// The five LocallyConnected shapes of issue 7 (kernel 3, 'valid', channels_last).
const Shape3 kLcShapes[] = {
    {"lc2d", {32, 32, 3}, 64, 32},   // the seed's example
    {"lc2d", {28, 28, 1}, 32, 64},   // Fashion-MNIST-sized
    {"lc2d", {30, 30, 64}, 32, 32},  // the seed's second layer
    {"lc1d", {100, 32}, 64, 64},
    {"lc1d", {10, 32}, 64, 256},     // the seed's 1-D example
};

// Implementation 2 stores a dense (n_in, n_out) kernel: 5.8 GB for the 30x30x64 case. Cases
// whose kernel, its masked copy and its gradient would not fit comfortably are skipped.
constexpr double kMaxDenseKernelBytes = 1e9;

bool dense_kernel_too_large(const LayerBenchSpec& spec) {
  if (spec.implementation != "2") return false;
  const std::size_t rank = spec.input.size() - 1;
  const LcGeometry g = make_lc_geometry(rank, spec.input, spec.filters,
                                        std::vector<std::size_t>(rank, spec.kernel),
                                        std::vector<std::size_t>(rank, 1), false, false);
  return 4.0 * double(g.inputs()) * double(g.outputs()) > kMaxDenseKernelBytes;
}

void run_case(benchmark::State& state, LayerBenchSpec spec) {
  if (dense_kernel_too_large(spec)) {
    state.SkipWithError("implementation 2's dense kernel would exceed 1 GB");
    for (auto _ : state) {
    }
    return;
  }
  LayerBench bench(spec);
  bench.run();  // first touch of the weights and of the allocator's pages
  reset_peak_resident();
  for (auto _ : state) {
    state.PauseTiming();
    bench.prepare();
    state.ResumeTiming();
    bench.run();
  }
  const BenchWork& work = bench.work();
  const BenchFigures bound = bench_figures(work, 1.0);
  state.counters["GFLOP/s"] =
      benchmark::Counter(work.flops * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["bound_ms"] = bound.bound_seconds * 1e3;
  // bound / (seconds per iteration): kIsRate divides by the run's seconds.
  state.counters["of_bound"] = benchmark::Counter(bound.bound_seconds * double(state.iterations()),
                                                  benchmark::Counter::kIsRate);
  state.counters["samples/s"] = benchmark::Counter(
      double(bench.samples()) * double(state.iterations()), benchmark::Counter::kIsRate);
  // The process's peak so far: cases share one process and its heap, so only `tessera bench`
  // (one case per process) relates its peak to the memory that must exist. Read before the
  // limits are measured: that reads a buffer of 128 MB.
  state.counters["peak_MB"] = double(peak_resident_bytes()) / 1e6;
  // The VM's limits drift by up to 2x from minute to minute, and a faster machine than the
  // nominal one reads over 100% of it: the fraction to judge by is the one measured now.
  const BenchFigures now = bench_figures(work, 1.0, measure_machine_limits());
  state.counters["now_bound_ms"] = now.bound_seconds * 1e3;
  state.counters["now_of_bound"] = benchmark::Counter(
      now.bound_seconds * double(state.iterations()), benchmark::Counter::kIsRate);
  const bool chosen = spec.layer.rfind("lc", 0) == 0 && spec.implementation == "auto";
  state.SetLabel(bench.label() +
                 (chosen ? " [auto -> " + std::to_string(bench.path().path) + "]" : ""));
}

void register_case(const std::string& name, const LayerBenchSpec& spec) {
  benchmark::RegisterBenchmark(name.c_str(), run_case, spec)->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

std::string shape_name(const Shape& s) {
  std::string n;
  for (auto v : s) n += (n.empty() ? "" : "x") + std::to_string(v);
  return n;
}

int register_all() {
  for (const Shape3& c : kLcShapes)
    for (bool backward : {false, true}) {
      const std::string pass = backward ? "/fwd+bwd" : "/fwd";
      const std::string base = std::string(c.layer == std::string("lc2d") ? "LC2D " : "LC1D ") +
                               shape_name(c.input) + "->" + std::to_string(c.filters) + " b" +
                               std::to_string(c.batch);
      for (const char* impl : {"1", "2", "3", "auto"})
        register_case(base + "/impl " + impl + pass,
                      {c.layer, c.input, c.filters, 3, c.batch, impl, backward});
      if (c.layer == std::string("lc2d"))
        register_case("Conv2D " + shape_name(c.input) + "->" + std::to_string(c.filters) + " b" +
                          std::to_string(c.batch) + pass,
                      {"conv2d", c.input, c.filters, 3, c.batch, "auto", backward});
    }
  register_case("Dense MLP 784-256-128-10 b128/train step",
                {"mlp", {784}, 256, 1, 128, "auto", true});
  register_case("Demo LC2D(16 3x3)->Dense(10) 28x28x1 b32/fit",
                {"demo", {28, 28, 1}, 16, 3, 32, "auto", true});
  return 0;
}

const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
