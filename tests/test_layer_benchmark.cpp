// The figures `tessera bench` and tests/bench/ report: the roofline bound from a case's work,
// the work counted for a LocallyConnected case, the machine's limits measured now and the
// memory a run used.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "layers/layer_benchmark.hpp"

using namespace tessera;

namespace {

TEST(LayerBenchmark, TheBoundIsTheSlowerOfComputeAndMemory) {
  const MachineLimits limits{.flops_per_second = 100e9, .bytes_per_second = 10e9};
  BenchWork work;
  work.flops = 2e9;  // 20 ms of compute
  work.bytes = 1e8;  // 10 ms of traffic
  BenchFigures f = bench_figures(work, 0.04, limits);
  EXPECT_TRUE(f.compute_bound);
  EXPECT_NEAR(f.bound_seconds, 0.02, 1e-12);
  EXPECT_NEAR(f.fraction, 0.5, 1e-12);
  EXPECT_NEAR(f.gflops_per_second, 50, 1e-9);
  work.bytes = 3e8;  // 30 ms of traffic
  f = bench_figures(work, 0.04, limits);
  EXPECT_FALSE(f.compute_bound);
  EXPECT_NEAR(f.fraction, 0.75, 1e-12);
}

TEST(LayerBenchmark, ALocallyConnectedCaseCountsThreeProductsPerConnection) {
  LayerBenchSpec spec;
  spec.input = {6, 5, 2};
  spec.filters = 4;
  spec.kernel = 3;
  spec.batch = 3;
  spec.backward = true;
  LayerBench bench(spec);
  // 4 x 3 positions, each 3x3x2 taps to 4 filters: 864 connections; forward, dx and dW.
  EXPECT_DOUBLE_EQ(bench.work().flops, 3 * 2 * 3 * 864.0);
  // input, kernel + bias, output, then dy, dx, dW + db (floats).
  const double weights = 864 + 48, n_in = 60, n_out = 48;
  EXPECT_DOUBLE_EQ(bench.work().needed_bytes, 4 * (2 * 3 * n_in + 2 * weights + 2 * 3 * n_out));
  bench.run();
  bench.run();
}

TEST(LayerBenchmark, MeasuresTheMachinesLimitsNow) {
  const MachineLimits now = measure_machine_limits();
  // Any machine that runs this: more than a GFLOP/s and a GB/s, less than a PFLOP/s.
  EXPECT_GT(now.flops_per_second, 1e9);
  EXPECT_LT(now.flops_per_second, 1e15);
  EXPECT_GT(now.bytes_per_second, 1e9);
  EXPECT_LT(now.bytes_per_second, 1e13);
}

TEST(LayerBenchmark, RunMemoryIsTheAnonymousPeakAboveTheStart) {
  // The arithmetic: the file-backed part at the reset and the start's anonymous part come off.
  const Resident before{.anonymous = 100, .file = 50};
  EXPECT_EQ(run_memory_bytes(before, 400, {.anonymous = 200, .file = 70}, 30), 400 - 70 - 100 - 30);
  EXPECT_EQ(run_memory_bytes(before, 150, before, 0), 0);
  // And /proc's figures: 32 MiB touched after the reset is counted (ASan adds an eighth for
  // its shadow), the code paged in before it is not.
  const Resident start = resident_now();
  reset_peak_resident();
  const Resident at_reset = resident_now();
  ASSERT_GT(at_reset.file, 0u);  // the test program's own code
  const std::size_t size = std::size_t(32) << 20;
  {
    std::vector<char> block(size, 1);  // every page written
    volatile char sink = block[size / 2];
    (void)sink;
  }
  const double used = run_memory_bytes(start, peak_resident_bytes(), at_reset, 0);
  EXPECT_GE(used, 0.99 * double(size));
  EXPECT_LE(used, 1.25 * double(size));
}

}  // namespace
