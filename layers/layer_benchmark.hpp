// One benchmark case of a layer (or of the reference MLP's training step) and the figures it is
// judged by: time, GFLOP/s, the roofline bound max(FLOPs / peak, bytes / bandwidth), the fraction
// of it reached and the peak resident memory. tests/bench/ (Google Benchmark) and `tessera bench`
// both run cases through this file, so their figures are computed in one place.
#pragma once

#include <memory>
#include <string>

#include "core/autodiff.hpp"
#include "layers/locally_connected.hpp"

namespace tessera {

class Generator;
class Layer;
class Sequential;

// The limits of this project's machine (issue 7: 2 Zen 4 cores, an FMA loop reaches
// 32 FLOP/cycle/core at ≈3.65 GHz; a 2-thread stream reaches ≈30 GB/s of DRAM).
struct MachineLimits {
  double flops_per_second = 232e9;
  double bytes_per_second = 30e9;
};

// The limits as the machine delivers them now, measured in about a second: FMA throughput of
// all OpenMP threads at once, and the bandwidth of all threads reading a buffer four times the
// size of this machine's L3, each its share as four streams. In this project's VM both drift by
// up to 2x from minute to minute, so a fraction of the nominal limits above says little on its
// own. Allocates 128 MB while it runs: call it after measuring a run's peak memory.
MachineLimits measure_machine_limits();

struct LayerBenchSpec {
  // lc2d, lc1d, conv2d, dense; or a model: mlp (Dense 784-256-128-10) or demo
  // (LocallyConnected2D(filters, kernel) → Dense(10), trained through fit()).
  std::string layer = "lc2d";
  Shape input = {32, 32, 3};   // per sample, channels last
  std::size_t filters = 64;    // filters, or a Dense layer's units
  std::size_t kernel = 3;      // square (lc2d, conv2d) or 1-D kernel size
  std::size_t batch = 32;
  std::string implementation = "auto";  // LocallyConnected (and demo) only: 1, 2, 3 or auto
  // Forward + backward (input and weight gradients); for a model, a training step (demo: fit).
  bool backward = false;
};

// The compulsory work of one run: FLOPs of the products and bytes every pass must move (inputs,
// weights, outputs once each, and their gradients when backward).
struct BenchWork {
  double flops = 0, bytes = 0;
  // The memory that must exist during a run: input, weights, optimizer state, activations and
  // gradients (what a peak resident size is compared with).
  double needed_bytes = 0;
  double harness_bytes = 0;  // held by the benchmark itself (its seed), not by the layer
};

struct BenchFigures {
  double seconds = 0, gflops_per_second = 0;
  double bound_seconds = 0;  // the roofline bound
  double fraction = 0;       // bound / time: the fraction of the machine's limit reached
  bool compute_bound = true;
};

BenchFigures bench_figures(const BenchWork& work, double seconds, const MachineLimits& limits = {});

class LayerBench {
 public:
  // Builds the layer (or model) and its random input. Throws std::invalid_argument for a
  // malformed spec, naming the field.
  explicit LayerBench(const LayerBenchSpec& spec);
  ~LayerBench();

  // Untimed set-up of the next run: a fresh copy of the seed that run() hands to backward(),
  // which then uses it as the output's gradient in place (as PyTorch's backward(gradient)
  // does) instead of copying it: a copy of a multi-megabyte seed cost 15-25% of the small
  // LocallyConnected cases' time, work that is the harness's, not the layer's.
  void prepare();
  void run();  // one forward pass, plus the backward pass when spec.backward
  const LayerBenchSpec& spec() const { return spec_; }
  const BenchWork& work() const { return work_; }
  std::size_t samples() const;  // samples one run processes
  // A one-line description of the case, e.g. "LocallyConnected2D 32x32x3 -> 64, 3x3, batch 32".
  std::string label() const;
  // For LocallyConnected: the compute path the batch takes and the cost model's reasons.
  LcPathChoice path() const;

 private:
  void build_model(Generator& gen);

  LayerBenchSpec spec_;
  BenchWork work_;
  std::shared_ptr<Layer> layer_;
  std::unique_ptr<Sequential> model_;  // the mlp case
  Tensor x_, y_target_, seed_;
  Tensor next_seed_;  // prepare()'s copy of seed_, spent by run()
  bool prepared_ = false;
  Variable x_variable_;  // the layer cases' input
};

// The peak resident memory of the process since the last reset_peak_resident(), in bytes
// (Linux /proc/self; 0 where unavailable).
void reset_peak_resident();
std::size_t peak_resident_bytes();

// Resident memory now, in bytes: anonymous (heap, mapped tensors, stacks) and file-backed (the
// code of the program and its libraries, paged in as it first runs: no run allocates it).
struct Resident {
  std::size_t anonymous = 0, file = 0;
};
Resident resident_now();

// The anonymous memory a run used at its peak above `start`, less the harness's own bytes.
// Linux keeps only the peak of all resident memory, so the file-backed part at the reset of
// the peak is taken off it; file pages only grow (as code first runs), so any paged in after
// the reset are counted as used: the estimate errs high, never low.
double run_memory_bytes(const Resident& start, std::size_t peak, const Resident& at_reset,
                        double harness_bytes);

}  // namespace tessera
