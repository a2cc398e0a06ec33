// Geometry, layouts and layout conversion of the LocallyConnected engine (the compute paths are
// in locally_connected_paths.cpp).
#include "layers/locally_connected.hpp"

#include <algorithm>
#include <cctype>

namespace tessera {

namespace {

// One axis of a position's window (Keras' conv_connected_inputs): the window starts at
// p·s − (k // 2 if 'same' else 0); taps [first, last) of the k lie inside the input.
struct AxisWindow {
  long origin = 0;
  std::size_t first = 0, last = 0;
};

AxisWindow axis_window(std::size_t p, std::size_t in, std::size_t k, std::size_t s, bool same) {
  AxisWindow w;
  w.origin = long(p * s) - (same ? long(k / 2) : 0L);
  w.first = std::size_t(std::max(0L, -w.origin));
  w.last = std::size_t(std::min(long(k), long(in) - w.origin));
  return w;
}

}  // namespace

Shape LcGeometry::input_shape() const {
  Shape spatial = rank == 1 ? Shape{in_cols} : Shape{in_rows, in_cols};
  if (channels_first)
    spatial.insert(spatial.begin(), channels);
  else
    spatial.push_back(channels);
  return spatial;
}

Shape LcGeometry::output_shape() const {
  Shape spatial = rank == 1 ? Shape{out_cols} : Shape{out_rows, out_cols};
  if (channels_first)
    spatial.insert(spatial.begin(), filters);
  else
    spatial.push_back(filters);
  return spatial;
}

std::size_t lc_output_size(std::size_t in, std::size_t kernel, std::size_t stride, bool same) {
  const std::size_t span = same ? in : in - kernel + 1;
  return (span + stride - 1) / stride;
}

LcGeometry make_lc_geometry(std::size_t rank, const Shape& input_shape, std::size_t filters,
                            const std::vector<std::size_t>& kernel,
                            const std::vector<std::size_t>& strides, bool same,
                            bool channels_first) {
  if ((rank != 1 && rank != 2) || input_shape.size() != rank + 1 || kernel.size() != rank ||
      strides.size() != rank)
    throw ShapeError("locally connected geometry of rank " + std::to_string(rank) +
                     " needs an input of rank " + std::to_string(rank + 1) + ", got " +
                     shape_str(input_shape));
  LcGeometry g;
  g.rank = rank;
  g.filters = filters;
  g.same = same;
  g.channels_first = channels_first;
  const std::size_t first_spatial = channels_first ? 1 : 0;
  g.channels = channels_first ? input_shape.front() : input_shape.back();
  if (rank == 2) {
    g.in_rows = input_shape[first_spatial];
    g.kernel_rows = kernel[0];
    g.stride_rows = strides[0];
  }
  g.in_cols = input_shape[first_spatial + rank - 1];
  g.kernel_cols = kernel.back();
  g.stride_cols = strides.back();
  if (g.kernel_rows > g.in_rows || g.kernel_cols > g.in_cols)
    throw ShapeError("kernel larger than the input " + shape_str(input_shape));
  g.out_rows = lc_output_size(g.in_rows, g.kernel_rows, g.stride_rows, same);
  g.out_cols = lc_output_size(g.in_cols, g.kernel_cols, g.stride_cols, same);
  return g;
}

LcImplementation::LcImplementation(const std::string& name) : number_(-1), text_("'" + name + "'") {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (lower == "auto") number_ = 0;
  if (lower == "1" || lower == "2" || lower == "3") number_ = lower[0] - '0';
}

LcEngine::LcEngine(const LcGeometry& g) : g_(g) {
  const std::size_t C = g.channels, kr = g.kernel_rows, kc = g.kernel_cols;
  tap_start_.push_back(0);
  run_start_.push_back(0);
  for (std::size_t pr = 0; pr < g.out_rows; ++pr) {
    const AxisWindow rows = axis_window(pr, g.in_rows, kr, g.stride_rows, g.same);
    for (std::size_t pc = 0; pc < g.out_cols; ++pc) {
      const AxisWindow cols = axis_window(pc, g.in_cols, kc, g.stride_cols, g.same);
      const std::size_t width = cols.last - cols.first;
      auto add_run = [&](std::size_t patch, std::size_t input, std::size_t length) {
        runs_.push_back({std::uint32_t(patch), std::uint32_t(input), std::uint32_t(length)});
        for (std::size_t e = 0; e < length; ++e)
          taps_.push_back({std::uint32_t(patch + e), std::uint32_t(input + e)});
      };
      // Runs in ascending patch order, which is ascending input order too.
      for (std::size_t c = 0; c < (g.channels_first ? C : 1); ++c)
        for (std::size_t i = rows.first; i < rows.last; ++i) {
          const std::size_t r = std::size_t(rows.origin + long(i));
          const std::size_t col = std::size_t(cols.origin + long(cols.first));
          if (g.channels_first)
            add_run((c * kr + i) * kc + cols.first, (c * g.in_rows + r) * g.in_cols + col, width);
          else
            add_run((i * kc + cols.first) * C, (r * g.in_cols + col) * C, width * C);
        }
      tap_start_.push_back(taps_.size());
      run_start_.push_back(runs_.size());
    }
  }
  // Impl 3: output values ascending; each holds its position's taps (inputs ascending).
  const std::size_t P = g.positions();
  row_start_.assign(g.outputs() + 1, 0);
  for (std::size_t o = 0; o < g.outputs(); ++o) {
    const std::size_t p = g.channels_first ? o % P : o / g.filters;
    row_start_[o + 1] = row_start_[o] + (tap_start_[p + 1] - tap_start_[p]);
  }
}

std::span<const LcTap> LcEngine::taps(std::size_t p) const {
  return {taps_.data() + tap_start_[p], tap_start_[p + 1] - tap_start_[p]};
}

std::span<const LcRun> LcEngine::runs(std::size_t p) const {
  return {runs_.data() + run_start_[p], run_start_[p + 1] - run_start_[p]};
}

Shape LcEngine::kernel_shape(int implementation) const {
  const LcGeometry& g = g_;
  if (implementation == 1) return {g.positions(), g.patch(), g.filters};
  if (implementation == 3) return {connections()};
  if (implementation != 2)
    throw std::invalid_argument("implementation must be 1, 2 or 3, got " +
                                std::to_string(implementation));
  Shape in = g.input_shape(), out = g.output_shape();
  in.insert(in.end(), out.begin(), out.end());
  return in;
}

Shape LcEngine::bias_shape() const {
  return g_.rank == 1 ? Shape{g_.out_cols, g_.filters}
                      : Shape{g_.out_rows, g_.out_cols, g_.filters};
}

Tensor LcEngine::convert_kernel(const Tensor& kernel, int from, int to) const {
  expect_shape(kernel, kernel_shape(from),
               "LocallyConnected kernel of implementation " + std::to_string(from));
  Tensor result = zeros(kernel_shape(to));
  const LcGeometry& g = g_;
  const std::size_t F = g.filters, K = g.patch(), n_out = g.outputs();
  // Each connection's place in each layout.
  auto place = [&](int impl, std::size_t p, std::size_t f, std::size_t j, const LcTap& tap) {
    const std::size_t o = g.output_index(p, f);
    if (impl == 1) return (p * K + tap.patch) * F + f;
    if (impl == 2) return std::size_t(tap.input) * n_out + o;
    return row_start_[o] + j;
  };
  const float* src = kernel.data();
  float* dst = result.data();
  for (std::size_t p = 0; p < g.positions(); ++p) {
    const auto ts = taps(p);
    for (std::size_t f = 0; f < F; ++f)
      for (std::size_t j = 0; j < ts.size(); ++j)
        dst[place(to, p, f, j, ts[j])] = src[place(from, p, f, j, ts[j])];
  }
  return result;
}

Variable lc_convert_kernel(const Variable& kernel, int from, int to, const LcEnginePtr& engine) {
  return make_result("lc_convert_kernel", engine->convert_kernel(kernel.value(), from, to),
                     {kernel}, [engine, from, to](Node& self) {
                       self.inputs[0]->accumulate(engine->convert_kernel(self.grad, to, from));
                     });
}

}  // namespace tessera
