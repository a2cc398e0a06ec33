// Core throughput: BLAS matmul (reported in FLOP/s against the machine's peak), the small
// products of the LocallyConnected paths, im2col, the cost the autodiff tape adds to a small
// step, and the elementwise work of a training step: relu below and above the size where it is
// shared among threads, max pooling, Adam's update.
#include <benchmark/benchmark.h>

#include "core/activations.hpp"
#include "core/im2col.hpp"
#include "core/ops.hpp"
#include "core/pooling.hpp"
#include "core/random.hpp"
#include "core/small_gemm.hpp"
#include "optim/adam.hpp"

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

// small_gemm's C (m, n) = A (m, k) · B (k, n), hot in L1, one thread: the per-position products
// of the LocallyConnected benchmarks' cases, and tiles of few rows (m = 4: one tile of 4 rows).
static void BM_SmallGemm(benchmark::State& state) {
  const auto m = std::size_t(state.range(0)), n = std::size_t(state.range(1)),
             k = std::size_t(state.range(2));
  Generator gen(5);
  const Tensor a = gen.uniform({m, k}, -1, 1), b = gen.uniform({k, n}, -1, 1);
  Tensor c = Tensor::from_shape({m, n});
  for (auto _ : state) {
    small_gemm(m, n, k, a.data(), k, 1, b.data(), n, c.data(), n, Write::overwrite);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(m * n * k) * double(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SmallGemm)
    ->ArgNames({"m", "n", "k"})
    ->Args({64, 32, 9})     // LC2D 28x28x1 -> 32, batch 64: forward
    ->Args({9, 32, 64})     // its kernel gradient
    ->Args({9, 64, 32})     // its input gradient, transposed
    ->Args({32, 64, 27})    // LC2D 32x32x3 -> 64, batch 32: forward
    ->Args({32, 32, 576})   // LC2D 30x30x64 -> 32, batch 32: forward
    ->Args({64, 16, 9})     // the demo's LC2D(16, 3x3), batch 64: forward
    ->Args({4, 64, 32})
    ->Args({4, 32, 64});

// A 3x3 kernel over C channels of 32x32 images: patches of runs of 3·C values.
static void BM_Im2col(benchmark::State& state) {
  const auto C = std::size_t(state.range(0));
  Generator gen(2);
  const Tensor x = gen.uniform({32, 32, 32, C}, -1, 1);
  const Im2colSpec spec = make_im2col_spec(32, 32, 3, 3, 1, 1, 1, 1, "valid");
  for (auto _ : state) benchmark::DoNotOptimize(im2col(x, spec).data());
  state.SetBytesProcessed(std::int64_t(state.iterations() * 32 * 30 * 30 * 9 * C * 4));
}
BENCHMARK(BM_Im2col)->Arg(1)->Arg(3);

// relu forward and backward on n values (threads share the loops from 2^17 values on).
static void BM_Relu(benchmark::State& state) {
  const auto n = std::size_t(state.range(0));
  Generator gen(4);
  Variable in(gen.uniform({n}, -1, 1), true);
  const Tensor seed = gen.uniform({n}, -1, 1);
  for (auto _ : state) {
    in.zero_grad();
    relu(in).backward(seed);
    benchmark::DoNotOptimize(in.grad().data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations() * n));
}
BENCHMARK(BM_Relu)->Arg(100000)->Arg(1000000);

// 2x2 max pooling of the demo's 64x26x26x32 activations, forward and backward.
static void BM_MaxPool(benchmark::State& state) {
  Generator gen(5);
  Variable in(gen.uniform({64, 26, 26, 32}, -1, 1), true);
  const Tensor seed = gen.uniform({64, 13, 13, 32}, -1, 1);
  const Im2colSpec spec = make_im2col_spec(26, 26, 2, 2, 2, 2, 1, 1, "valid");
  for (auto _ : state) {
    in.zero_grad();
    pool2d(in, spec, PoolMode::max).backward(seed);
    benchmark::DoNotOptimize(in.grad().data());
  }
}
BENCHMARK(BM_MaxPool);

// Adam's update of 216k weights, the demo model's size.
static void BM_AdamUpdate(benchmark::State& state) {
  Generator gen(6);
  Tensor w = gen.uniform({216000}, -1, 1);
  const Tensor g = gen.uniform({216000}, -1, 1);
  Adam adam;
  for (auto _ : state) {
    adam.apply_gradients({{&w, &g}});
    benchmark::DoNotOptimize(w.data());
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * 216000);
}
BENCHMARK(BM_AdamUpdate);

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
