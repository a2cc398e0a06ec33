#include "core/convolution.hpp"

#include <omp.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "core/activations.hpp"
#include "core/blas.hpp"
#include "core/gradient_buffer.hpp"
#include "core/row_sums.hpp"
#include "core/small_gemm.hpp"
#include "core/transpose.hpp"

namespace tessera {

namespace {

struct ConvShape {
  std::size_t B, H, W, C, F, P, K;  // P output positions, K patch length per sample
  std::size_t chunk_rows;           // output rows per chunk of patches (chunk_rows_for)
  // Products whose columns are a multiple of the SIMD width go through core/small_gemm: it reads
  // the patches in place and starts from the bias, where OpenBLAS packs both operands and first
  // zeroes C, which for patches of 9 or 27 values costs about what the product does (in-process
  // A/B, fwd+bwd: 28x28x1 -> 32 -12%, 32x32x3 -> 64 -6 to -15%, 30x30x64 -> 32 -9%).
  bool small(std::size_t columns) const { return columns % small_gemm_width() == 0; }
};

// Runs body(b, thread) for every sample over the OpenMP threads: a sample at a time as threads
// free up, or, where each thread sums into its own buffer, the same samples per thread on
// every run so that the sums (and training) do not vary from run to run.
template <class Body>
void for_each_sample(std::size_t batch, bool fixed, Body body) {
  if (fixed) {
#pragma omp parallel for schedule(static) if (batch > 1)
    for (long b = 0; b < long(batch); ++b) body(std::size_t(b), omp_get_thread_num());
    return;
  }
#pragma omp parallel for schedule(dynamic, 1) if (batch > 1)
  for (long b = 0; b < long(batch); ++b) body(std::size_t(b), omp_get_thread_num());
}

// One chunk of a sample's patches, per thread (core/gradient_buffer.hpp).
float* patches_of(std::size_t size) { return thread_scratch(0, size); }

// Output rows per chunk of a sample's patches: as many as fit in 128 KiB, so that the products
// read them from L2 right after im2col wrote them. A whole sample's patches of 30x30x64 → 32
// (784 windows of 576 values) are 1.8 MB, and the weight gradient's product, which reads them
// transposed (depth = windows), reloaded a line per window for each of its tiles. In-process
// A/B of that case, p10: forward −9%, fwd+bwd −3 to −6%; chunks of one row (64 KB) were 3%
// slower than whole samples, of five rows as fast as two. Small patches (3x3 over 1 or 3
// channels) make one chunk of the whole sample, as before.
std::size_t chunk_rows_for(const Im2colSpec& spec, std::size_t K) {
  const std::size_t row_bytes = spec.out_w * K * sizeof(float);
  return std::max<std::size_t>(1, (std::size_t(128) << 10) / std::max<std::size_t>(row_bytes, 1));
}

// Whether small_gemm can read the windows of these output rows straight from a sample of x
// instead of their im2col copy: each window is then kernel_h runs of kernel_w·C inputs (depth
// runs dilation_h input rows apart) and consecutive windows stride_w·C inputs apart, which needs
// dilation_w 1 and no tap of the rows in the padding. Zen 5, in-process A/B, p10: forward
// 32x32x3 → 64 −27%, 28x28x1 → 32 −32%, 30x30x64 → 32 −10%; fwd+bwd −4 to −7%.
bool windows_in_place(const ConvShape& s, const Im2colSpec& spec, OutputRows rows) {
  if (spec.dilation_w != 1 || spec.pad_left != 0 ||
      (spec.out_w - 1) * spec.stride_w + spec.kernel_w > s.W)
    return false;
  const std::size_t top = rows.first * spec.stride_h,
                    bottom = (rows.first + rows.count - 1) * spec.stride_h +
                             (spec.kernel_h - 1) * spec.dilation_h;
  return top >= spec.pad_top && bottom - spec.pad_top < s.H;
}

// dx_t (one sample's input gradient channels first: C planes of H·W) += that of `rows`' n
// windows, computed transposed: dpatchᵀ (K, windows) = kernel (K, F) · gᵀ (F, windows), whose
// row for tap (i, j, c) then adds to input row i of plane c as runs of consecutive windows
// (stride_w and dilation_w 1). The other way round, K (9 or 27 for a 3x3 kernel over 1 or 3
// channels) made the product's columns (OpenBLAS) and col2im added runs of kw·C values: the
// two took 55–62% of a fwd+bwd step (Zen 5, in-process A/B, p10: 28x28x1 → 32 −34%, 32x32x3
// → 64 −11%).
void add_input_gradient_by_channel(const ConvShape& s, const Im2colSpec& spec, const float* w,
                                   const float* g, OutputRows rows, std::size_t n, float* dx_t) {
  const std::size_t n_padded = small_gemm_padded(n);
  float* g_t = thread_scratch(2, s.F * n_padded);
  transpose_zero_padded(g, n, s.F, s.F, g_t, n_padded);
  float* d_t = thread_scratch(3, s.K * n_padded);
  small_gemm(s.K, n_padded, s.F, w, s.F, 1, g_t, n_padded, d_t, n_padded, Write::overwrite);
  for (std::size_t k = 0; k < s.K; ++k) {
    const std::size_t i = k / (spec.kernel_w * s.C), j = k / s.C % spec.kernel_w, c = k % s.C;
    // Window ow's tap k is input column ow + j − pad_left: the windows where it is inside.
    const long column = long(j) - long(spec.pad_left);
    const long lo = std::max(0L, -column), hi = std::min(long(spec.out_w), long(s.W) - column);
    for (std::size_t r = 0; r < rows.count; ++r) {
      const long ih = long((rows.first + r) * spec.stride_h + i * spec.dilation_h) -
                      long(spec.pad_top);
      if (ih < 0 || ih >= long(s.H)) continue;
      const float* src = d_t + k * n_padded + r * spec.out_w;
      float* dst = dx_t + (c * s.H + std::size_t(ih)) * s.W;
      for (long ow = lo; ow < hi; ++ow) dst[ow + column] += src[ow];
    }
  }
}

// Calls body(rows, windows, first window) for each chunk of output rows of a sample.
template <class Body>
void for_each_chunk(const ConvShape& s, const Im2colSpec& spec, Body body) {
  for (std::size_t oh = 0; oh < spec.out_h; oh += s.chunk_rows) {
    const OutputRows rows{oh, std::min(s.chunk_rows, spec.out_h - oh)};
    body(rows, rows.count * spec.out_w, oh * spec.out_w);
  }
}

}  // namespace

Variable convolution(const Variable& x, const Variable& kernel, const Variable* bias,
                     const Im2colSpec& spec, bool relu) {
  const Shape in = x.shape();
  if (in.size() != 4)
    throw ShapeError("convolution expects (batch, rows, cols, channels), got " + shape_str(in));
  const std::size_t F = kernel.shape().back();
  const std::size_t K = spec.kernel_h * spec.kernel_w * in[3];
  const ConvShape s{in[0], in[1], in[2], in[3], F, spec.out_h * spec.out_w, K,
                    chunk_rows_for(spec, K)};
  if (kernel.size() != s.K * F)
    throw ShapeError("convolution kernel " + shape_str(kernel.value()) + " does not fit " +
                     std::to_string(spec.kernel_h) + "x" + std::to_string(spec.kernel_w) +
                     " windows over " + std::to_string(s.C) + " channels");
  if (bias) expect_shape(bias->value(), {F}, "convolution bias");
  Tensor y = Tensor::from_shape({s.B, spec.out_h, spec.out_w, F});
  const float* xd = x.value().data();
  const float* w = kernel.value().data();
  const float* bd = bias ? bias->value().data() : nullptr;
  float* yd = y.data();
  for_each_sample(s.B, false, [&](std::size_t b, int) {
    float* cols = patches_of(s.chunk_rows * spec.out_w * s.K);
    for_each_chunk(s, spec, [&](OutputRows rows, std::size_t n, std::size_t first) {
      float* out = yd + (b * s.P + first) * F;
      if (s.small(F) && windows_in_place(s, spec, rows)) {
        for (std::size_t r = 0; r < rows.count; ++r) {  // an output row's windows, read from x
          const std::size_t top = (rows.first + r) * spec.stride_h - spec.pad_top;
          small_gemm(spec.out_w, F, s.K, xd + (b * s.H + top) * s.W * s.C,
                     spec.stride_w * s.C, 1, w, F, out + r * spec.out_w * F, F,
                     Write::overwrite, bd, DepthRuns{spec.kernel_h, spec.dilation_h * s.W * s.C});
        }
      } else {
        im2col_sample(xd + b * s.H * s.W * s.C, s.H, s.W, s.C, spec, cols, rows);
        if (s.small(F)) {
          small_gemm(n, F, s.K, cols, s.K, 1, w, F, out, F, Write::overwrite, bd);
        } else {
          blas::sgemm(false, false, int(n), int(F), int(s.K), 1.0f, cols, int(s.K), w, int(F),
                      0.0f, out, int(F));
          if (bd)
            for (std::size_t p = 0; p < n; ++p)
              for (std::size_t f = 0; f < F; ++f) out[p * F + f] += bd[f];
        }
      }
      if (relu) relu_forward(out, out, long(n * F));
    });
  });
  std::vector<Variable> inputs{x, kernel};
  if (bias) inputs.push_back(*bias);
  return make_result("convolution", std::move(y), inputs, [s, spec, relu](Node& self) {
    InputGradient dx(self, 0), dkernel(self, 1);
    std::optional<InputGradient> dbias;
    if (self.inputs.size() > 2) dbias.emplace(self, 2);
    // Per-thread sums of the weight and bias gradients: (K·F + F) each.
    const std::size_t threads = std::size_t(omp_get_max_threads()), part = s.K * s.F + s.F;
    const bool want_db = dbias && dbias->data();
    std::vector<float> sums((dkernel.data() || want_db) ? threads * part : 0, 0.0f);
    const float* xd = self.input(0).data();
    const float* w = self.input(1).data();
    float* dy = self.grad.data();
    float* dxd = dx.data();
    const bool small_dx = dxd && s.small(s.K);
    const bool dx_by_channel =
        dxd && !small_dx && spec.stride_w == 1 && spec.dilation_w == 1;
    Tensor wt;  // the kernel transposed, (F, K), for small_gemm's input-gradient product
    if (small_dx) {
      wt = Tensor::from_shape({s.F * s.K});
      transpose(w, s.K, s.F, s.F, wt.data(), s.K);
    }
    // The weight gradient's patches read straight from x, as the forward's (windows_in_place): a
    // row of A per tap, at its offset in a window; the depth runs an output row of windows at a
    // time (Zen 5, in-process A/B, fwd+bwd p10: 32x32x3 → 64 −8%, 28x28x1 → 32 −17%, 30x30x64
    // → 32 −5%).
    std::vector<std::size_t> taps;
    if (dkernel.data() && s.small(s.F) && spec.dilation_w == 1)
      for (std::size_t i = 0; i < spec.kernel_h; ++i)
        for (std::size_t j = 0; j < spec.kernel_w * s.C; ++j)
          taps.push_back(i * spec.dilation_h * s.W * s.C + j);
    for_each_sample(s.B, true, [&](std::size_t b, int thread) {
      float* grad = dy + b * s.P * s.F;
      // The node's gradient is spent after this closure: the relu' factor goes into it.
      if (relu) relu_backward(self.value.data() + b * s.P * s.F, grad, long(s.P * s.F));
      float* dw = sums.empty() ? nullptr : sums.data() + std::size_t(thread) * part;
      if (want_db) sum_rows(grad, s.P, s.F, s.F, dw + s.K * s.F, true);
      float* dx_b = dxd ? dxd + b * s.H * s.W * s.C : nullptr;
      // by channel: channels first, transposed into dx_b at the end (one channel: the same)
      float* dx_t = dx_by_channel && s.C > 1 ? thread_scratch(4, s.C * s.H * s.W) : dx_b;
      if (dx_b) std::fill(dx_t, dx_t + s.H * s.W * s.C, 0.0f);
      float* cols = patches_of(s.chunk_rows * spec.out_w * s.K);
      // Each weight gradient sums over the windows in order, chunk after chunk, as it did over
      // a whole sample at once.
      for_each_chunk(s, spec, [&](OutputRows rows, std::size_t n, std::size_t first) {
        const float* g = grad + first * s.F;
        if (!taps.empty() && windows_in_place(s, spec, rows)) {
          const std::size_t top = rows.first * spec.stride_h - spec.pad_top;
          small_gemm(s.K, s.F, n, xd + (b * s.H + top) * s.W * s.C, taps.data(),
                     spec.stride_w * s.C, g, s.F, dw, s.F, Write::accumulate,
                     DepthRuns{rows.count, spec.stride_h * s.W * s.C});
        } else if (dkernel.data()) {
          im2col_sample(xd + b * s.H * s.W * s.C, s.H, s.W, s.C, spec, cols, rows);
          if (s.small(s.F))
            small_gemm(s.K, s.F, n, cols, 1, s.K, g, s.F, dw, s.F, Write::accumulate);
          else
            blas::sgemm(true, false, int(s.K), int(s.F), int(n), 1.0f, cols, int(s.K), g,
                        int(s.F), 1.0f, dw, int(s.F));
        }
        if (!dx_b) return;
        if (dx_by_channel) return add_input_gradient_by_channel(s, spec, w, g, rows, n, dx_t);
        if (small_dx)
          small_gemm(n, s.K, s.F, g, s.F, 1, wt.data(), s.K, cols, s.K, Write::overwrite);
        else
          blas::sgemm(false, true, int(n), int(s.K), int(s.F), 1.0f, g, int(s.F), w, int(s.F),
                      0.0f, cols, int(s.K));
        col2im_sample_add(cols, s.H, s.W, s.C, spec, dx_b, rows);
      });
      if (dx_t != dx_b) transpose(dx_t, s.C, s.H * s.W, s.H * s.W, dx_b, s.C);
    });
    auto total = [&](float* out, std::size_t offset, std::size_t n) {
      std::fill(out, out + n, 0.0f);
      for (std::size_t t = 0; t < threads; ++t)
        for (std::size_t i = 0; i < n; ++i) out[i] += sums[t * part + offset + i];
    };
    if (dkernel.data()) total(dkernel.data(), 0, s.K * s.F);
    if (want_db) total(dbias->data(), s.K * s.F, s.F);
    dx.commit();
    dkernel.commit();
    if (dbias) dbias->commit();
  });
}

}  // namespace tessera
