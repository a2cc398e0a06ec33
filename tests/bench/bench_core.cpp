// Core throughput: BLAS matmul (reported in FLOP/s against the machine's peak), im2col, and the
// cost the autodiff tape adds to a small step.
#include <benchmark/benchmark.h>

#include "core/activations.hpp"
#include "core/im2col.hpp"
#include "core/ops.hpp"
#include "core/random.hpp"

using namespace tessera;

static void BM_Matmul(benchmark::State& state) {
  const auto n = std::size_t(state.range(0));
  Generator gen(1);
  const Tensor a = gen.uniform({n, n}, -1, 1), b = gen.uniform({n, n}, -1, 1);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b).data());
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(n * n * n) * double(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Matmul)->Arg(64)->Arg(256)->Arg(1024);

static void BM_Im2col(benchmark::State& state) {
  Generator gen(2);
  const Tensor x = gen.uniform({32, 32, 32, 3}, -1, 1);
  const Im2colSpec spec = make_im2col_spec(32, 32, 3, 3, 1, 1, 1, 1, "valid");
  for (auto _ : state) benchmark::DoNotOptimize(im2col(x, spec).data());
  state.SetBytesProcessed(std::int64_t(state.iterations()) * 32 * 30 * 30 * 27 * 4);
}
BENCHMARK(BM_Im2col);

// A dense layer's forward and backward on a batch of 64: the tape's bookkeeping on top of BLAS.
static void BM_DenseStep(benchmark::State& state) {
  Generator gen(3);
  Variable x(gen.uniform({64, 256}, -1, 1));
  Variable w(gen.uniform({256, 128}, -0.1f, 0.1f), true), b(zeros({128}), true);
  for (auto _ : state) {
    w.zero_grad();
    b.zero_grad();
    Variable loss = mean(square(relu(add(matmul(x, w), b))));
    loss.backward();
    benchmark::DoNotOptimize(w.grad().data());
  }
}
BENCHMARK(BM_DenseStep);

BENCHMARK_MAIN();
