// `tessera bench`: times one layer case (layers/layer_benchmark, shared with tests/bench) and
// prints its time, GFLOP/s, roofline bound, fraction of it reached, peak memory, and for a
// LocallyConnected layer the compute path taken and the cost model's reasons.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "layers/layer_benchmark.hpp"

namespace tessera::cli {

namespace {

// "32x32x3" → {32, 32, 3}.
Shape parse_shape(const std::string& text) {
  Shape s;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, 'x')) {
    std::size_t used = 0;
    long v = 0;
    try {
      v = std::stol(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != part.size() || v <= 0)
      throw UsageError("--input must be positive sizes joined by 'x' (e.g. 32x32x3), got '" +
                       text + "'");
    s.push_back(std::size_t(v));
  }
  if (s.empty()) throw UsageError("--input is empty");
  return s;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

int bench(const Args& args) {
  po::options_description opts("options");
  opts.add_options()
      ("layer", po::value<std::string>()->required(), "lc2d, lc1d, conv2d, dense; mlp (Dense 784-256-128-10) or demo (LC2D -> Dense(10) fit)")
      ("input", po::value<std::string>()->required(), "per-sample input, channels last: 32x32x3, 100x32, 784")
      ("filters", po::value<long>()->default_value(64), "filters (units for dense)")
      ("kernel", po::value<long>()->default_value(3), "kernel size (square for 2-D)")
      ("batch", po::value<long>()->default_value(32), "samples per pass")
      ("implementation", po::value<std::string>()->default_value("auto"), "LocallyConnected: 1, 2, 3 or auto")
      ("backward", po::bool_switch(), "time forward + backward (input and weight gradients; mlp: a training step)")
      ("repeat", po::value<long>()->default_value(20), "timed runs (after one warm-up run)");
  po::variables_map vm;
  if (!parse("tessera bench --layer lc2d --input 32x32x3 [--filters 64] [--kernel 3] [--batch 32] "
             "[--implementation auto] [--backward] [--repeat N]",
             opts, args, vm))
    return 0;
  for (const char* key : {"filters", "kernel", "batch", "repeat"})
    if (vm[key].as<long>() <= 0)
      throw UsageError(std::string("--") + key + " must be positive, got " +
                       std::to_string(vm[key].as<long>()));
  LayerBenchSpec spec;
  spec.layer = vm["layer"].as<std::string>();
  spec.input = parse_shape(vm["input"].as<std::string>());
  spec.filters = std::size_t(vm["filters"].as<long>());
  spec.kernel = std::size_t(vm["kernel"].as<long>());
  spec.batch = std::size_t(vm["batch"].as<long>());
  spec.implementation = vm["implementation"].as<std::string>();
  spec.backward = vm["backward"].as<bool>();
  const Resident at_start = resident_now();
  std::unique_ptr<LayerBench> bench;
  try {
    bench = std::make_unique<LayerBench>(spec);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  bench->run();  // warm-up: first touch of weights and buffers
  reset_peak_resident();
  const Resident at_reset = resident_now();
  std::vector<double> seconds;
  for (long i = 0; i < vm["repeat"].as<long>(); ++i) {
    bench->prepare();
    const auto start = std::chrono::steady_clock::now();
    bench->run();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const std::size_t peak = peak_resident_bytes();
  std::sort(seconds.begin(), seconds.end());
  const BenchWork& work = bench->work();
  const BenchFigures f = bench_figures(work, seconds.front());
  // The run's own memory: the anonymous peak above the start, without the harness's seed tensor
  // (the code of the program and its libraries, ~0.8 MB paged in by a first run, is not it).
  const double used = run_memory_bytes(at_start, peak, at_reset, work.harness_bytes);
  const std::string harness =
      work.harness_bytes > 0
          ? " and the harness's " + fixed(work.harness_bytes / 1e6, 1) + " MB seed"
          : "";
  const MachineLimits limits;
  // The same bound from what the machine delivers now (measured after the peak memory).
  const MachineLimits now = measure_machine_limits();
  const BenchFigures f_now = bench_figures(work, seconds.front(), now);

  std::cout << "case:      " << bench->label() << (spec.backward ? ", forward+backward" : ", forward")
            << '\n';
  if (spec.layer == "lc2d" || spec.layer == "lc1d" || spec.layer == "demo") {
    const LcPathChoice path = bench->path();
    std::cout << "path:      " << path.path << " (" << path.reason << ")\n";
  }
  std::cout << "time:      " << fixed(f.seconds * 1e3, 3) << " ms min, "
            << fixed(seconds[seconds.size() / 2] * 1e3, 3) << " ms median of " << seconds.size()
            << " runs\n"
            << "work:      " << fixed(bench->work().flops / 1e9, 3) << " GFLOP, "
            << fixed(bench->work().bytes / 1e6, 1) << " MB compulsory traffic\n"
            << "speed:     " << fixed(f.gflops_per_second, 1) << " GFLOP/s, "
            << fixed(double(bench->samples()) / f.seconds, 0) << " samples/s\n"
            << "bound:     " << fixed(f.bound_seconds * 1e3, 3) << " ms ("
            << (f.compute_bound ? "compute" : "memory") << "-bound at "
            << fixed(limits.flops_per_second / 1e9, 0) << " GFLOP/s, "
            << fixed(limits.bytes_per_second / 1e9, 0) << " GB/s)\n"
            << "reached:   " << fixed(100 * f.fraction, 1) << "% of the bound\n"
            << "now:       " << fixed(now.flops_per_second / 1e9, 0)
            << " GFLOP/s (an FMA loop on every thread), " << fixed(now.bytes_per_second / 1e9, 0)
            << " GB/s (128 MB read, 4 streams a thread): bound "
            << fixed(f_now.bound_seconds * 1e3, 3) << " ms, " << fixed(100 * f_now.fraction, 1)
            << "% reached\n";
  // The nominal limits are those of issue 7's Zen 4 VM; on a machine that delivers more, the
  // nominal fraction flatters (over 100% on a Zen 5 VM), so say which line to judge by.
  if (now.flops_per_second > 1.2 * limits.flops_per_second ||
      now.bytes_per_second > 1.2 * limits.bytes_per_second)
    std::cout << "note:      this machine delivers more than the nominal limits: the 'now' line's "
                 "fraction is the one to judge by\n";
  std::cout << "memory:    " << fixed(double(peak) / 1e6, 1) << " MB peak resident ("
            << fixed(double(at_reset.file) / 1e6, 1) << " MB of it code, file-backed); "
            << fixed(used / 1e6, 1) << " MB used by the run (anonymous memory above the "
            << fixed(double(at_start.anonymous) / 1e6, 1) << " MB at start" << harness << ") for "
            << fixed(work.needed_bytes / 1e6, 1)
            << " MB that must exist (input, weights, optimizer state, activations, gradients): "
            << fixed(used / work.needed_bytes, 2) << "x\n";
  double load = 0;
  if (std::ifstream("/proc/loadavg") >> load) {
    const unsigned cores = std::thread::hardware_concurrency();
    std::cout << "load:      " << fixed(load, 2) << " (1-minute average"
              << (load >= double(cores) ? "; at or above the " + std::to_string(cores) +
                                              " cores: other work shares them, the times are "
                                              "not the machine's)\n"
                                        : ")\n");
  }
  return 0;
}

}  // namespace tessera::cli
