// The three compute paths of the LocallyConnected engine, forward and backward, and the cost
// model of 'auto'. Buffers are flat per sample: x (B, n_in), y (B, n_out) in the data_format's
// memory order; path 1 works position-major (B, P, F) and transposes for channels_first.
#include <omp.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/activations.hpp"
#include "core/blas.hpp"
#include "core/fixed_length.hpp"
#include "core/gradient_buffer.hpp"
#include "core/row_sums.hpp"
#include "core/small_gemm.hpp"
#include "core/transpose.hpp"
#include "layers/locally_connected.hpp"

namespace tessera {

namespace {

Shape with_batch(std::size_t batch, Shape shape) {
  shape.insert(shape.begin(), batch);
  return shape;
}

std::size_t check_input(const Tensor& x, const LcGeometry& g, const char* op) {
  if (x.dimension() == 0) throw ShapeError(std::string(op) + ": input is a scalar");
  const std::size_t batch = x.shape(0);
  expect_shape(x, with_batch(batch, g.input_shape()), op);
  return batch;
}

// Runs body(i) for i in [0, n) over the OpenMP threads (BLAS calls inside run on their thread
// alone, core/blas.hpp), handing out items as threads free up (on a VM a core can run at half
// speed for a while, and an even split then leaves the other core waiting); or serially when
// there is too little work (≈ `flops` in all) to share: a parallel region costs microseconds,
// more than a tiny layer's whole pass. Each thread fences its streaming stores (Write::stream)
// when its items are done.
template <class Body>
void parallel_for(std::size_t n, double flops, Body body) {
  const int threads = omp_get_max_threads();
  if (threads < 2 || n < 2 || flops < 2e5) {
    for (std::size_t i = 0; i < n; ++i) body(i);
    streaming_fence();
    return;
  }
  const long chunk = std::max(1L, long(n) / (16L * threads));
#pragma omp parallel
  {
#pragma omp for schedule(dynamic, chunk) nowait
    for (long i = 0; i < long(n); ++i) body(std::size_t(i));
    streaming_fence();
  }
}

// Zeroes n floats, split over the threads when there are many (30x30x64's 7.4 MB input
// gradient: 0.67 ms on one thread).
void zero(float* data, std::size_t n) {
  constexpr std::size_t kBlock = 1 << 14;
  const long blocks = long((n + kBlock - 1) / kBlock);
#pragma omp parallel for schedule(static) if (n > (1 << 18))
  for (long k = 0; k < blocks; ++k) {
    const std::size_t first = std::size_t(k) * kBlock;
    std::fill(data + first, data + std::min(n, first + kBlock), 0.0f);
  }
}

// Per-thread buffers of the per-position loops (core/gradient_buffer.hpp): 0 patch, 1 bias row,
// 2 a kernel-gradient block, 3 a kernel block (or output-gradient columns) in the layout a
// product needs, 4 a position's output-gradient rows.
float* scratch(int slot, std::size_t size) { return thread_scratch(slot, size); }

// Rows of input gradients for the inputs from `first` on: per sample, sample b's input i at
// data[b·ld + i − first] (at), or per input, input i's samples at data[(i − first)·ld + b] (row).
struct InputRows {
  float* data;
  std::size_t ld, first;
  float* at(std::size_t b, std::size_t input) const { return data + b * ld + (input - first); }
  float* row(std::size_t input) const { return data + (input - first) * ld; }
};

// The backward's loop over positions, with the input gradient scatter-added (positions overlap
// in the input) so that the sums do not depend on which thread ran what: the positions are cut
// into contiguous chunks, handed out to threads as they free up; chunk 0 adds into the zeroed
// dx, every other chunk into a zeroed buffer of its own covering only the inputs its positions
// reach (for channels_last, a band of rows), and the buffers are added into dx in chunk order.
// More chunks balance the threads better but their bands overlap by a kernel's reach: from four
// per thread, the count is halved while the buffers would hold more than one dx (what one
// buffer per extra thread held before; LC1D 10x32 would have needed 2.1 dx in 8 chunks).
// `by_input`: the body gets rows per input (InputRows::row) of a transposed dx, which run()
// transposes into dx at the end.
class PositionChunks {
 public:
  PositionChunks(const LcEngine& e, std::size_t batch, float* dx, bool by_input = false)
      : dx_(dx), batch_(batch), n_in_(e.geometry().inputs()), by_input_(by_input),
        flops_(4.0 * double(batch) * double(e.connections())) {
    const std::size_t P = e.geometry().positions();
    std::vector<std::size_t> lo(P), hi(P);  // the inputs each position reaches
    for (std::size_t p = 0; p < P; ++p) {
      lo[p] = n_in_, hi[p] = 0;
      for (const LcRun& r : e.runs(p)) {
        lo[p] = std::min<std::size_t>(lo[p], r.input);
        hi[p] = std::max<std::size_t>(hi[p], r.input + r.length);
      }
    }
    const std::size_t threads = std::size_t(omp_get_max_threads());
    std::size_t count = threads < 2 ? 1 : std::min(P, 4 * threads);
    for (;; count = (count + 1) / 2) {
      cut(count, lo, hi);
      if (count <= threads || offset_.back() <= n_in_) break;
    }
    if (!dx_) return;
    if (by_input_) dx_t_ = Tensor::from_shape({n_in_ * batch_});
    zero(by_input_ ? dx_t_.data() : dx_, batch_ * n_in_);
    buffers_ = Tensor::from_shape({batch_ * offset_.back()});
  }

  // Runs body(p, dx rows) for every position; a chunk's positions in order on one thread.
  template <class Body>
  void run(Body body) {
    parallel_for(first_.size() - 1, flops_, [&](std::size_t c) {
      const InputRows rows = dx_rows(c);
      for (std::size_t p = first_[c]; p < first_[c + 1]; ++p) body(p, rows);
    });
    if (!dx_) return;
    if (by_input_) {
      sum_by_input();
      return;
    }
#pragma omp parallel for schedule(static) if (batch_ * n_in_ > (1 << 16))
    for (long b = 0; b < long(batch_); ++b)
      for (std::size_t c = 1; c + 1 < first_.size(); ++c) {
        const InputRows rows = buffer(c);
        const float* src = rows.data + std::size_t(b) * rows.ld;
        float* dst = dx_ + std::size_t(b) * n_in_ + rows.first;
        for (std::size_t i = 0; i < rows.ld; ++i) dst[i] += src[i];
      }
  }

 private:
  // Chunk c holds positions first_[c] … first_[c + 1] − 1 and reaches inputs lo_[c] … hi_[c] − 1;
  // its buffer (c ≥ 1) starts offset_[c] values per sample into buffers_, whose per-sample size
  // is offset_.back().
  void cut(std::size_t count, const std::vector<std::size_t>& lo,
           const std::vector<std::size_t>& hi) {
    const std::size_t P = lo.size();
    first_.assign(1, 0), lo_.clear(), hi_.clear(), offset_.assign(2, 0);
    for (std::size_t c = 0; c < count; ++c) {
      const std::size_t begin = first_.back(), end = P * (c + 1) / count;
      first_.push_back(end);
      lo_.push_back(*std::min_element(lo.begin() + long(begin), lo.begin() + long(end)));
      hi_.push_back(*std::max_element(hi.begin() + long(begin), hi.begin() + long(end)));
      if (c > 0) offset_.push_back(offset_.back() + hi_[c] - lo_[c]);
    }
  }
  InputRows buffer(std::size_t c) {
    return {buffers_.data() + batch_ * offset_[c], by_input_ ? batch_ : hi_[c] - lo_[c], lo_[c]};
  }
  InputRows dx_rows(std::size_t c) {  // zeroes chunk c's buffer; called by the thread running c
    if (dx_ && c == 0 && by_input_) return {dx_t_.data(), batch_, 0};
    if (!dx_ || c == 0) return {dx_, n_in_, 0};
    const InputRows rows = buffer(c);
    std::fill(rows.data, rows.data + batch_ * (hi_[c] - lo_[c]), 0.0f);
    return rows;
  }

  // The buffers added into the transposed dx in chunk order, and dx = its transpose, 8 inputs
  // at a time while their sums are in cache, on all threads (30x30x64: the sums and then the
  // transpose on one thread took 0.7 + 2.1 ms).
  void sum_by_input() {
    float* dx_t = dx_t_.data();
    const std::size_t chunks = first_.size() - 1, block = 8;
    const long blocks = long((n_in_ + block - 1) / block);
#pragma omp parallel for schedule(static) if (batch_ * n_in_ > (1 << 16))
    for (long k = 0; k < blocks; ++k) {
      const std::size_t first = std::size_t(k) * block, last = std::min(first + block, n_in_);
      for (std::size_t input = first; input < last; ++input)
        for (std::size_t c = 1; c < chunks; ++c) {
          if (input < lo_[c] || input >= hi_[c]) continue;
          const float* src = buffer(c).row(input);
          float* dst = dx_t + input * batch_;
          for (std::size_t b = 0; b < batch_; ++b) dst[b] += src[b];
        }
      transpose(dx_t + first * batch_, last - first, batch_, batch_, dx_ + first, n_in_);
    }
  }

  float* dx_;
  std::size_t batch_, n_in_;
  bool by_input_;
  double flops_;  // of the whole backward, for parallel_for
  std::vector<std::size_t> first_, lo_, hi_, offset_;
  Tensor buffers_, dx_t_;
};

// dst[b, j, i] = src[b, i, j] for src (B, m, n).
void swap_last_axes(const float* src, std::size_t batch, std::size_t m, std::size_t n, float* dst) {
  for (std::size_t b = 0; b < batch; ++b, src += m * n, dst += m * n) transpose(src, m, n, n, dst, m);
}

// Asks for the rows (B of them, `length` floats each, `stride` apart) of the next position's
// output or output gradient ahead of use: the rows lie a whole sample apart, a pattern the
// hardware prefetchers do not follow (28x28x1 → 32, batch 64: fwd+bwd 5.4 → 4.6 ms, A/B runs
// alternated). The backward instead spreads rows that lie pages apart over its products
// (small_gemm's Ahead), as both passes do the next kernel block (next_kernel_block): asking
// for all of those at once stalled the products.
void prefetch_rows(const float* first, std::size_t rows, std::size_t length, std::size_t stride,
                   bool for_writing) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < length; i += 64 / sizeof(float)) {
      if (for_writing)
        __builtin_prefetch(first + r * stride + i, 1);
      else
        __builtin_prefetch(first + r * stride + i, 0);
    }
}

// ---- paths 1 and 2: per-position products ----------------------------------------------------
//
// Per position p: y_p (B, F) = bias_p + patch_p (B, K) · W_p (K, F). W_p is implementation 1's
// kernel[p], or, for implementation 2 in channels_last, the block of the dense (n_in, n_out)
// kernel at the taps' input rows and columns p·F … p·F + F: the products skip the dense
// kernel's known-zero blocks. Products go through small_gemm (no call or packing overhead) when
// F is a multiple of its SIMD width, else through OpenBLAS.

// The kernel rows W_p uses for run r of position p, and their row stride.
struct KernelBlocks {
  const float* data;
  bool dense;  // implementation 2's (n_in, n_out) layout, else implementation 1's (P, K, F)
  std::size_t K, F, n_out;

  template <class T>
  T* rows(T* base, std::size_t p, const LcRun& r) const {
    return dense ? base + std::size_t(r.input) * n_out + p * F : base + (p * K + r.patch) * F;
  }
  std::size_t ld() const { return dense ? n_out : F; }
};

// Calls body(b, input, tap, length) for every sample b and run of position p: the run's first
// input, its first tap in a patch row (at its patch index, or, `compact`, consecutive) and its
// length. When the runs all have one length up to 16 it is a compile-time constant
// (std::integral_constant, for move_floats), so the bodies' moves of a few floats unroll: with
// 28x28x1's runs of 3 the per-run loop overhead was a fifth of a fwd+bwd step (in-process A/B:
// median 3.6 -> 2.9 ms).
template <class Body>
void for_each_run(const LcEngine& e, std::size_t p, std::size_t batch, bool compact, Body body) {
  const auto runs = e.runs(p);
  auto loop = [&](auto fixed) {
    for (std::size_t b = 0; b < batch; ++b) {
      std::size_t next = 0;
      for (const LcRun& r : runs) {
        const std::size_t tap = compact ? next : std::size_t(r.patch);
        if constexpr (decltype(fixed)::value > 0)
          body(b, std::size_t(r.input), tap, fixed);
        else
          body(b, std::size_t(r.input), tap, std::size_t(r.length));
        next += r.length;
      }
    }
  };
  const std::size_t length = runs.front().length;
  const bool same = std::all_of(runs.begin(), runs.end(),
                                [&](const LcRun& r) { return r.length == length; });
  if (same && with_fixed_length(length, loop)) return;
  loop(std::integral_constant<std::size_t, 0>{});  // 0: each run's own length
}

// The taps of position p for every sample, a row of `ld` values per sample: at their patch
// index (zeros where a tap is padding; paths 1 and 2), or, `compact`, consecutive (zeros after
// the last; path 3, whose values skip padding taps).
void gather_taps(const LcEngine& e, std::size_t p, const float* x, std::size_t batch,
                 float* patch, std::size_t ld, bool compact) {
  const std::size_t n_in = e.geometry().inputs(), taps = e.taps(p).size();
  if (taps < ld) std::fill(patch, patch + batch * ld, 0.0f);
  // move_floats, not memcpy: most runs are a few floats, shorter than a memcpy call costs.
  for_each_run(e, p, batch, compact,
               [&](std::size_t b, std::size_t input, std::size_t tap, auto length) {
                 move_floats(x + b * n_in + input, patch + b * ld + tap, length);
               });
}

// dx += a patch laid out as gather_taps writes it (sample b's taps a row of `ld`), scattered
// back to the inputs of position p.
void scatter_taps(const LcEngine& e, std::size_t p, const float* patch, std::size_t ld,
                  bool compact, std::size_t batch, const InputRows& dx) {
  for_each_run(e, p, batch, compact,
               [&](std::size_t b, std::size_t input, std::size_t tap, auto length) {
                 move_floats<true>(patch + b * ld + tap, dx.at(b, input), length);
               });
}

// Outputs and kernel gradients larger than this are written with streaming stores: they would
// not stay in cache until the next layer or the optimizer reads them, and ordinary stores read
// every line before overwriting it. Measured on this project's VM (L2 512 KiB per core, L3
// 32 MiB shared) with training steps of LocallyConnected2D → Flatten → Dense, A/B alternated in
// one process: outputs of 2.8 MB and more 3–8% faster per step, a 6.2 MB kernel gradient 3%
// more; the demo's output of 1.4 MB, read back from cache by the next layer, 4% slower.
constexpr double kStreamingBytes = 2 << 20;

Write write_for(double bytes) { return bytes > kStreamingBytes ? Write::stream : Write::overwrite; }

// Whether `rows` rows of F floats, `stride` floats apart, are better copied together before
// products read them again and again: when their starts fall on so few of L1's sets that they
// evict each other, yet a contiguous copy would stay in L1. L1 as Zen 4's (64 sets of 8 lines
// of 64 bytes; the sets repeat every 4 KiB; Zen 5 has 12 ways). 30x30x64 → 32's rows lie
// 100,352 bytes apart: 2 starts, 4 sets for 64 lines (read in place: fwd+bwd +3%). Rows that
// do not alias, or that would not fit in L1 anyway, are read in place: no copy to make (Zen 5,
// fwd+bwd p10: 28x28x1 −4% in process, −8% with the libraries alternated; 32x32x3 −1 to −2%,
// LC1D 10x32 −2%, LC1D 100x32 equal).
bool copy_rows(std::size_t rows, std::size_t F, std::size_t stride) {
  constexpr std::size_t kLine = 64, kSets = 64, kWays = 8;
  const std::size_t row_lines = (F * sizeof(float) + kLine - 1) / kLine, lines = rows * row_lines;
  const std::size_t starts = kLine * kSets / std::gcd(stride * sizeof(float), kLine * kSets);
  return std::min(kSets, starts * row_lines) * kWays < lines && lines <= kSets * kWays / 2;
}

struct LocalShape {
  std::size_t B, K, F, P, n_in;
  bool in_place, small;          // read x in place; use small_gemm
  Write y_write, dkernel_write;  // how the whole output and kernel gradient are written
  bool copy_gradient_rows;       // copy_rows of a position's output-gradient rows
};

// A patch that is one run of x (LocallyConnected1D, channels_last) is read in place; so is,
// by the forward's small_gemm, a patch of even runs (even_runs), and by the backward's kernel
// gradient implementation 1's patches (tap_offsets); others are gathered first,
// so one product covers the whole patch instead of one product per run, each reloading and
// storing its output (the 30x30x64 case's runs of 192 values were ~10% slower that way).
LocalShape local_shape(const LcEngine& e, std::size_t batch) {
  const LcGeometry& g = e.geometry();
  const std::size_t runs = e.runs(0).size();
  return {batch,
          g.patch(),
          g.filters,
          g.positions(),
          g.inputs(),
          runs == 1,
          g.filters % small_gemm_width() == 0,
          // channels_first's position-major output is read straight back for its transpose
          g.channels_first ? Write::overwrite
                           : write_for(4.0 * double(batch) * double(g.positions() * g.filters)),
          write_for(4.0 * double(e.connections())),
          copy_rows(batch, g.filters, g.positions() * g.filters)};
}

// Position p's runs as small_gemm's depth runs when they make up its whole patch in order, all
// of one length and equally far apart in x (LocallyConnected2D channels_last: kh runs of kw·C
// inputs, an input row apart; LocallyConnected1D channels_first: C runs of kernel_size steps),
// so that a product reads the patch straight from x: the forward of the three LC2D cases
// without gathering patches ran 10–22% faster (in-process A/B, p10), fwd+bwd 4%.
std::optional<DepthRuns> even_runs(const LcEngine& e, std::size_t p, std::size_t K) {
  const auto runs = e.runs(p);
  if (runs.size() < 2 || runs[1].input <= runs[0].input) return std::nullopt;
  const std::size_t length = runs[0].length, stride = runs[1].input - runs[0].input;
  if (runs.size() * length != K) return std::nullopt;
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (runs[i].length != length || runs[i].patch != i * length ||
        runs[i].input != runs[0].input + i * stride)
      return std::nullopt;
  return DepthRuns{runs.size(), stride};
}

// C (m, n) = A (m, k) · B (k, n), plus C itself when accumulating, else plus row_bias in every
// row when given; A[i][d] at a[i·a_row + d·a_col], B and C row-major. small_gemm fetches
// `ahead` meanwhile.
void product(const LocalShape& s, std::size_t m, std::size_t n, std::size_t k, const float* a,
             std::size_t a_row, std::size_t a_col, const float* b, std::size_t ldb, float* c,
             std::size_t ldc, Write write, const float* row_bias, Ahead* ahead) {
  if (s.small && n % small_gemm_width() == 0) {
    small_gemm(m, n, k, a, a_row, a_col, b, ldb, c, ldc, write, row_bias, {}, ahead);
    return;
  }
  bool accumulate = write == Write::accumulate;
  if (!accumulate && row_bias) {
    for (std::size_t i = 0; i < m; ++i) std::copy(row_bias, row_bias + n, c + i * ldc);
    accumulate = true;
  }
  const bool transpose_a = a_col != 1;
  blas::sgemm(transpose_a, false, int(m), int(n), int(k), 1.0f, a,
              int(transpose_a ? a_col : a_row), b, int(ldb), accumulate ? 1.0f : 0.0f, c,
              int(ldc));
}

// The bias of position p's F outputs, contiguous: in place for channels_last, gathered into
// `scratch` for channels_first (bias in the output's memory order, (F, P)).
const float* position_bias(const LcGeometry& g, const float* bias, std::size_t p, float* scratch) {
  if (!bias || !g.channels_first) return bias ? bias + p * g.filters : nullptr;
  for (std::size_t f = 0; f < g.filters; ++f) scratch[f] = bias[f * g.positions() + p];
  return scratch;
}

// Position p's output-gradient rows of dy (B, P, F), where the products are to read them: in
// place, or copied into contiguous per-thread scratch (s.copy_gradient_rows); their sum over the
// batch is written as p's bias gradient (in the output's order) when dbias is given.
struct GradientRows {
  const float* data;
  std::size_t ld;
};
GradientRows position_gradient(const LcGeometry& g, const LocalShape& s, const float* dy,
                               std::size_t p, float* dbias) {
  const std::size_t F = s.F, ld = s.P * s.F;
  const float* grad = dy + p * F;
  GradientRows rows{grad, ld};
  if (s.copy_gradient_rows) {
    float* copy = scratch(4, s.B * F);
    for (std::size_t b = 0; b < s.B; ++b)
      std::copy(grad + b * ld, grad + b * ld + F, copy + b * F);
    rows = {copy, F};
  }
  if (dbias) {
    float* db = scratch(1, F);
    sum_rows(rows.data, s.B, F, rows.ld, db);
    for (std::size_t f = 0; f < F; ++f) dbias[g.output_index(p, f)] = db[f];
  }
  return rows;
}

// Position p's taps (K of them, no padding) as offsets from its lowest input `first`, in patch
// order, in this thread's buffer: the rows of patch_pᵀ for small_gemm to read straight from x.
// Gathering 28x28x1's patch (64 samples' runs of 3 floats) had cost as much as the product
// (Zen 5, fwd+bwd p10, libraries alternated: 28x28x1 −6%, 32x32x3 equal).
struct TapOffsets {
  std::size_t first;
  const std::size_t* offsets;
};
TapOffsets tap_offsets(const LcEngine& e, std::size_t p, std::size_t K) {
  thread_local std::vector<std::size_t> offsets;
  if (offsets.size() < K) offsets.resize(K);
  const auto runs = e.runs(p);
  std::size_t first = runs.front().input;
  for (const LcRun& r : runs) first = std::min<std::size_t>(first, r.input);
  for (const LcRun& r : runs)
    for (std::size_t t = 0; t < r.length; ++t) offsets[r.patch + t] = r.input - first + t;
  return {first, offsets.data()};
}

// dy_p (B, F) transposed into per-thread rows of small_gemm_padded(B) values, the padding
// zero: the rows the input-gradient products by input (dx transposed) multiply.
const float* transposed_gradient(const LocalShape& s, const float* grad, std::size_t ld_grad) {
  const std::size_t B_padded = small_gemm_padded(s.B);
  float* grad_t = scratch(3, s.F * B_padded);
  transpose_zero_padded(grad, s.B, s.F, ld_grad, grad_t, B_padded);
  return grad_t;
}

// dx's rows by input += dpatch_pᵀ's rows (one of `ld` values per tap, in patch order).
void add_tap_rows(const LcEngine& e, std::size_t p, const float* dpatch_t, std::size_t ld,
                  std::size_t batch, const InputRows& dx) {
  for (const LcRun& r : e.runs(p))
    for (std::size_t t = 0; t < r.length; ++t) {  // a run's taps are consecutive inputs
      const float* src = dpatch_t + (r.patch + t) * ld;
      float* dst = dx.row(r.input + t);
      for (std::size_t b = 0; b < batch; ++b) dst[b] += src[b];
    }
}

// The block of K·F values of the position after p, where every position has one in order
// (implementation 1's kernel; implementation 3's values in channels_last without padding taps), for
// the products of p to fetch (small_gemm's Ahead): without it the first tile of each position
// waited for its block from DRAM. In-process A/B, p10, two runs in a fast and a slow phase of the
// VM: 30x30x64 → 32 forward −37% and −24%, fwd+bwd −19% and −9%; 32x32x3 fwd+bwd −23% and −10%;
// LC1D 100x32 −7%; 28x28x1 and LC1D 10x32 equal. It also took over from asking for p's own block at
// its start (no difference left). Implementation 2's block is rows spread over the dense kernel,
// not one span.
Ahead next_block(const float* blocks, const LocalShape& s, std::size_t p) {
  if (p + 1 >= s.P) return {};
  return Ahead::span(blocks + (p + 1) * s.K * s.F, s.K * s.F * sizeof(float));
}
Ahead next_kernel_block(const KernelBlocks& w, const LocalShape& s, std::size_t p) {
  return w.dense ? Ahead{} : next_block(w.data, s, p);
}

// Asks for all that is left of `ahead` at once when it goes out of scope: at the end of a
// position, for the lines its products did not get to.
struct AskRestAtEnd {
  Ahead& ahead;
  ~AskRestAtEnd() { ahead.ask_rest(); }
};

// Whether every run of taps of position p is long enough for a small_gemm product of its own
// (the backward's, with the run's taps as rows). Runs of 3 or 9 taps were slower that way than
// one product over the whole patch, runs of 24 and more faster (see local_backward).
bool runs_of_their_own(const LcEngine& e, std::size_t p) {
  const auto runs = e.runs(p);
  return std::all_of(runs.begin(), runs.end(), [](const LcRun& r) { return r.length >= 16; });
}

// The forwards' loop over positions: body(p, out) for every position p on the threads, out
// being p's rows of y (B, P, F); the next position's rows are asked for meanwhile unless y is
// written with streaming stores.
template <class Body>
void forward_positions(const LcEngine& e, const LocalShape& s, float* y, Body body) {
  parallel_for(s.P, 2.0 * double(s.B) * double(e.connections()), [&](std::size_t p) {
    float* out = y + p * s.F;
    if (p + 1 < s.P && s.y_write != Write::stream)
      prefetch_rows(out + s.F, s.B, s.F, s.P * s.F, true);
    body(p, out);
  });
}

// y (B, P, F) = per position p: bias_p + patch_p (B, K) · W_p (K, F).
void local_forward(const LcEngine& e, const float* x, const KernelBlocks& w, const float* bias,
                   std::size_t batch, float* y) {
  const LocalShape s = local_shape(e, batch);
  forward_positions(e, s, y, [&](std::size_t p, float* out) {
    const float* row_bias = position_bias(e.geometry(), bias, p, scratch(1, s.F));
    Ahead ahead = next_kernel_block(w, s, p);
    float* patch = nullptr;
    if (!s.in_place) {
      const auto even = w.dense || !s.small ? std::nullopt : even_runs(e, p, s.K);
      if (even) {  // the patch read straight from x
        small_gemm(s.B, s.F, s.K, x + e.runs(p).front().input, s.n_in, 1,
                   w.data + p * s.K * s.F, s.F, out, s.P * s.F, s.y_write, row_bias, *even,
                   &ahead);
        return;
      }
      patch = scratch(0, s.B * s.K);
      gather_taps(e, p, x, batch, patch, s.K, false);
      if (!w.dense) {  // the kernel's rows are the patch's: one product
        product(s, s.B, s.F, s.K, patch, s.K, 1, w.data + p * s.K * s.F, s.F, out, s.P * s.F,
                s.y_write, row_bias, &ahead);
        return;
      }
    }
    const auto runs = e.runs(p);
    Write write = runs.size() == 1 ? s.y_write : Write::overwrite;
    for (const LcRun& r : runs) {
      const float* a = s.in_place ? x + r.input : patch + r.patch;
      product(s, s.B, s.F, r.length, a, s.in_place ? s.n_in : s.K, 1, w.rows(w.data, p, r),
              w.ld(), out, s.P * s.F, write, row_bias, &ahead);
      write = Write::accumulate;
    }
  });
}

// dbias_p = Σ_b dy_p, dkernel_p = patch_pᵀ · dy_p and dx += scatter(dy_p · W_pᵀ); dy is
// (B, P, F). Kernel rows of padding taps get 0; dkernel of implementation 2 must arrive zeroed
// (only the blocks are written). Null outputs are not wanted.
void local_backward(const LcEngine& e, const float* x, const KernelBlocks& w, const float* dy,
                    std::size_t batch, float* dx, float* dkernel, float* dbias) {
  const LocalShape s = local_shape(e, batch);
  const LcGeometry& g = e.geometry();
  const std::size_t width = small_gemm_width();
  // dpatch_pᵀ (K, B) = W_p · dy_pᵀ, W_p read in place, its rows (one per tap) added to rows of
  // dx transposed (one per input), which is transposed into dx at the end:
  // - where K is not a multiple of the SIMD width (32x32x3: 27), since a product with K as its
  //   columns would pad it (27 would run as 32); dy_pᵀ's columns are padded instead;
  // - where runs of taps are long enough to be products of their own, written straight into
  //   dx's rows (needs B a multiple of the width), and the copy of W_pᵀ the other way costs
  //   more than that of dy_pᵀ plus the position's share of the final transpose (30x30x64:
  //   K·F = 18,432 values against B·F + n_in·B/P = 3,375; in-process A/B p10, fwd+bwd
  //   30x30x64 −10 to −13%, 30x30x16 −3%, 30x30x8 −2.5%; LC1D 100x32, where the two are
  //   equal, +1.6%, so it keeps W_pᵀ). Runs of 9 (32x32x3) written each by a product of their
  //   own were 3% slower than one product over W_p and adding its rows.
  const bool transposed =
      s.small && (small_gemm_padded(s.K) > s.K ||
                  (batch % width == 0 && runs_of_their_own(e, 0) &&
                   s.K * s.F * s.P > batch * (s.F * s.P + s.n_in)));
  PositionChunks(e, batch, dx, transposed).run([&](std::size_t p, const InputRows& dx_part) {
    // p + 1's output-gradient rows: where they lie pages apart, asked for a line at a time
    // during p's products, after the next kernel block (in-process A/Bs, p10 and median:
    // 32x32x3 fwd+bwd −4 to −6%; 28x28x1, 30x30x64 and LC1D 100x32 equal within the noise);
    // else all at once here (LC1D 10x32's rows 2 KiB apart: spread out 3% slower).
    const std::size_t row_stride = s.P * s.F * sizeof(float);
    const bool spread = p + 1 < s.P && dkernel && row_stride >= 4096;
    if (p + 1 < s.P && !spread) prefetch_rows(dy + (p + 1) * s.F, s.B, s.F, s.P * s.F, false);
    // The backward's products run over B or F (32 or 64 steps in the LC2D cases), the forward's
    // over K (up to 576), and ask for a line every 2 steps rather than 4 (in-process A/Bs, p10
    // and median: fwd+bwd 32x32x3 −6 to −9%, 30x30x64 −2%, 28x28x1 −3% to equal, LC1D equal;
    // every step: no better).
    constexpr Ahead::Pace kPace = Ahead::Pace::every_2_steps;
    Ahead next_rows =
        spread ? Ahead::rows(dy + (p + 1) * s.F, s.B, s.F * sizeof(float), row_stride).paced(kPace)
               : Ahead{};
    const auto [grad, ld_grad] = position_gradient(g, s, dy, p, dbias);
    // The kernel-gradient product asks for the next kernel block, then for the rows, and the
    // input-gradient products go on with what is left. When the input-gradient products alone
    // asked for the rows, 28x28x1's (a line every 4 of its 256 depth steps then) covered 64 of
    // its 128 lines (chained: fwd+bwd −3% p10 in two in-process A/Bs; the other cases, whose
    // input-gradient products had steps enough, equal).
    const Ahead block = next_kernel_block(w, s, p).paced(kPace);
    Ahead ahead = spread ? block.followed_by(&next_rows) : block;
    // What the products leave of it is asked for at once when the position is done: 28x28x1's
    // products (9 taps) ask for 96 of its 146 lines on the way (fwd+bwd −6% p10 and median in
    // a slow phase of the VM, equal in a fast one, in-process A/Bs; the other cases equal).
    const AskRestAtEnd ask_rest{ahead};
    if (dkernel) {
      // Runs of 16 taps and more read in place, a product each, without gathering the patch
      // (30x30x64 fwd+bwd −2.4 to −4.6%, 30x30x16 and 30x30x8 −1 to −1.5%, in-process A/B p10);
      // 32x32x3's runs of 9 were 10% slower that way. Shorter runs of implementation 1 are read
      // in place too, by one product whose rows are the taps at their offsets (tap_offsets).
      if (s.in_place || (s.small && runs_of_their_own(e, p))) {
        if (!w.dense && e.taps(p).size() < s.K) {
          float* dw = dkernel + p * s.K * s.F;
          std::fill(dw, dw + s.K * s.F, 0.0f);
        }
        for (const LcRun& r : e.runs(p))
          product(s, r.length, s.F, s.B, x + r.input, 1, s.n_in, grad, ld_grad,
                  w.rows(dkernel, p, r), w.ld(), s.dkernel_write, nullptr, &ahead);
      } else if (s.small && !w.dense && e.taps(p).size() == s.K) {
        const TapOffsets taps = tap_offsets(e, p, s.K);
        small_gemm(s.K, s.F, s.B, x + taps.first, taps.offsets, s.n_in, grad, ld_grad,
                   dkernel + p * s.K * s.F, s.F, s.dkernel_write, {}, &ahead);
      } else {
        float* patch = scratch(0, s.B * s.K);
        gather_taps(e, p, x, batch, patch, s.K, false);
        if (!w.dense)  // padding taps are zero columns of the patch: their rows come out 0
          product(s, s.K, s.F, s.B, patch, 1, s.K, grad, ld_grad, dkernel + p * s.K * s.F, s.F,
                  s.dkernel_write, nullptr, &ahead);
        else
          for (const LcRun& r : e.runs(p))
            product(s, r.length, s.F, s.B, patch + r.patch, 1, s.K, grad, ld_grad,
                    w.rows(dkernel, p, r), w.ld(), s.dkernel_write, nullptr, &ahead);
      }
    }
    if (!dx) return;
    if (transposed) {
      const std::size_t B_padded = small_gemm_padded(batch);
      const float* grad_t = transposed_gradient(s, grad, ld_grad);
      if (B_padded == batch && runs_of_their_own(e, p)) {
        for (const LcRun& r : e.runs(p))
          small_gemm(r.length, batch, s.F, w.rows(w.data, p, r), w.ld(), 1, grad_t, batch,
                     dx_part.row(r.input), batch, Write::accumulate, nullptr, {}, &ahead);
        return;
      }
      float* patch_t = scratch(0, s.K * B_padded);
      // Implementation 1's W_p holds the taps' rows in patch order: one product for all runs
      // (28x28x1's three runs of 3 taps: the product 1.05 → 0.70 µs per position, fwd+bwd
      // −1 to −2% in four in-process A/Bs, as was 32x32x3's).
      if (!w.dense)
        small_gemm(s.K, B_padded, s.F, w.data + p * s.K * s.F, s.F, 1, grad_t, B_padded, patch_t,
                   B_padded, Write::overwrite, nullptr, {}, &ahead);
      else
        for (const LcRun& r : e.runs(p))
          small_gemm(r.length, B_padded, s.F, w.rows(w.data, p, r), w.ld(), 1, grad_t, B_padded,
                     patch_t + r.patch * B_padded, B_padded, Write::overwrite, nullptr, {},
                     &ahead);
      add_tap_rows(e, p, patch_t, B_padded, batch, dx_part);
      return;
    }
    bool runs_aligned = s.small;
    for (const LcRun& r : e.runs(p)) runs_aligned = runs_aligned && r.length % width == 0;
    // dpatch_p (B, K) = dy_p · W_pᵀ: W_pᵀ (F, K) copied with its rows padded to the SIMD width.
    const std::size_t K_padded = s.small ? small_gemm_padded(s.K) : s.K;
    float* wt = scratch(3, s.F * K_padded);
    if (e.taps(p).size() < s.K || K_padded > s.K) std::fill(wt, wt + s.F * K_padded, 0.0f);
    for (const LcRun& r : e.runs(p))
      transpose(w.rows(w.data, p, r), r.length, s.F, w.ld(), wt + r.patch, K_padded);
    if (!s.small) {
      float* patch = scratch(0, s.B * s.K);
      blas::sgemm(false, false, int(s.B), int(s.K), int(s.F), 1.0f, grad, int(ld_grad), wt,
                  int(s.K), 0.0f, patch, int(s.K));
      scatter_taps(e, p, patch, s.K, false, batch, dx_part);
      return;
    }
    if (runs_aligned) {  // add each run's product straight into dx
      for (const LcRun& r : e.runs(p))
        small_gemm(s.B, r.length, s.F, grad, ld_grad, 1, wt + r.patch, K_padded,
                   dx_part.at(0, r.input), dx_part.ld, Write::accumulate, nullptr, {}, &ahead);
      return;
    }
    float* patch = scratch(0, s.B * K_padded);
    small_gemm(s.B, K_padded, s.F, grad, ld_grad, 1, wt, K_padded, patch, K_padded,
               Write::overwrite, nullptr, {}, &ahead);
    scatter_taps(e, p, patch, K_padded, false, batch, dx_part);
  });
}

// ---- path 3 ----------------------------------------------------------------------------------
//
// The sparse kernel in Keras' order holds, for output o, the values of its taps; the outputs of
// one position p share its T_p taps, so its rows form an (F, T_p) block: y_p = bias_p +
// patch_p (B, T_p) · V_pᵀ. The same per-position products as paths 1 and 2 on the compact
// patch (padding taps have no value here), with V_p copied into the layout each product needs.

// The F rows of position p's block: row f starts at values + row_start(output f of p).
template <class T>
T* sparse_row(const LcEngine& e, T* values, std::size_t p, std::size_t f) {
  return values + e.row_start(e.geometry().output_index(p, f));
}

// y (B, P, F) = per position p: bias_p + patch_p · V_pᵀ.
void sparse_forward(const LcEngine& e, const float* x, const float* values, const float* bias,
                    std::size_t batch, float* y) {
  const LocalShape s = local_shape(e, batch);
  forward_positions(e, s, y, [&](std::size_t p, float* out) {
    const std::size_t T = e.taps(p).size();
    float* vt = scratch(3, T * s.F);  // V_pᵀ (T, F)
    if (!e.geometry().channels_first) {
      // p's rows of values are consecutive, T apart: one transpose in 8x8 register blocks
      // instead of a value at a time (in-process A/B, p10: 30x30x64 fwd+bwd −5%, the other
      // cases within ±3%)
      transpose(sparse_row(e, values, p, 0), s.F, T, T, vt, s.F);
    } else {
      for (std::size_t f = 0; f < s.F; ++f) {
        const float* row = sparse_row(e, values, p, f);
        for (std::size_t j = 0; j < T; ++j) vt[j * s.F + f] = row[j];
      }
    }
    const float* row_bias = position_bias(e.geometry(), bias, p, scratch(1, s.F));
    // Without padding taps the compact patch is implementation 1's: read straight from x
    // where it is even runs, as implementation 1's forward reads it.
    const auto even = T == s.K && s.small ? even_runs(e, p, s.K) : std::nullopt;
    if (even) {
      small_gemm(s.B, s.F, s.K, x + e.runs(p).front().input, s.n_in, 1, vt, s.F, out, s.P * s.F,
                 s.y_write, row_bias, *even);
      return;
    }
    float* patch = scratch(0, s.B * T);
    gather_taps(e, p, x, batch, patch, T, true);
    product(s, s.B, s.F, T, patch, T, 1, vt, s.F, out, s.P * s.F, s.y_write, row_bias, nullptr);
  });
}

// Whether implementation 3's backward takes implementation 1's transposed way (local_backward):
// channels_last, so that a position's values are the rows of V_p (F, K) one after another, no
// padding taps, and K not a multiple of the SIMD width, which its own products would pad
// (28x28x1's 9 taps to 16: it took 1.9× implementation 1's time).
bool sparse_by_input(const LcEngine& e, const LocalShape& s) {
  if (e.geometry().channels_first || !s.small || small_gemm_padded(s.K) == s.K) return false;
  for (std::size_t p = 0; p < s.P; ++p)
    if (e.taps(p).size() != s.K) return false;
  return true;
}

// dbias_p = Σ_b dy_p, dV_p = dy_pᵀ · patch_p, dx += scatter(dy_p · V_p); dy is (B, P, F).
void sparse_backward(const LcEngine& e, const float* x, const float* values, const float* dy,
                     std::size_t batch, float* dx, float* dvalues, float* dbias) {
  const LocalShape s = local_shape(e, batch);
  const bool by_input = sparse_by_input(e, s);
  PositionChunks(e, batch, dx, by_input).run([&](std::size_t p, const InputRows& dx_part) {
    if (p + 1 < s.P) prefetch_rows(dy + (p + 1) * s.F, s.B, s.F, s.P * s.F, false);
    const auto [grad, ld_grad] = position_gradient(e.geometry(), s, dy, p, dbias);
    if (by_input) {  // V_p's block read transposed as W_p, dV_p written as dW_pᵀ
      // As implementation 1's: the products fetch the next position's block meanwhile, and a
      // large kernel gradient is streamed out (32x32x3 fwd+bwd −3.5% p10, in-process A/B).
      Ahead ahead = next_block(values, s, p).paced(Ahead::Pace::every_2_steps);
      const AskRestAtEnd ask_rest{ahead};
      if (dvalues) {
        const TapOffsets taps = tap_offsets(e, p, s.K);
        float* dw = scratch(2, s.K * s.F);
        small_gemm(s.K, s.F, s.B, x + taps.first, taps.offsets, s.n_in, grad, ld_grad, dw, s.F,
                   Write::overwrite, {}, &ahead);
        float* dv = sparse_row(e, dvalues, p, 0);
        if (s.dkernel_write == Write::stream) {  // transposed here, then streamed out whole
          float* dv_here = scratch(0, s.K * s.F);
          transpose(dw, s.K, s.F, s.F, dv_here, s.K);
          copy_streaming(dv_here, s.K * s.F, dv);
        } else {
          transpose(dw, s.K, s.F, s.F, dv, s.K);
        }
      }
      if (!dx) return;
      const std::size_t B_padded = small_gemm_padded(batch);
      float* dpatch_t = scratch(0, s.K * B_padded);
      small_gemm(s.K, B_padded, s.F, sparse_row(e, values, p, 0), 1, s.K,
                 transposed_gradient(s, grad, ld_grad), B_padded, dpatch_t, B_padded,
                 Write::overwrite, nullptr, {}, &ahead);
      add_tap_rows(e, p, dpatch_t, B_padded, batch, dx_part);
      return;
    }
    const std::size_t T = e.taps(p).size(), T_padded = small_gemm_padded(T);
    float* block = scratch(3, s.F * T_padded);  // dV_p, then V_p, rows padded with zeros
    if (dvalues) {
      float* patch = scratch(0, s.B * T_padded);
      gather_taps(e, p, x, batch, patch, T_padded, true);
      if (T_padded == T && !e.geometry().channels_first) {
        // p's rows of values are consecutive, T apart: the product writes them (streamed when
        // large, as implementation 1's kernel gradient) instead of a scratch block copied out
        // (in-process A/B, p10: 30x30x64 fwd+bwd −6%, LC1D 100x32 −3%).
        small_gemm(s.F, T, s.B, grad, 1, ld_grad, patch, T, sparse_row(e, dvalues, p, 0), T,
                   s.dkernel_write);
      } else {
        small_gemm(s.F, T_padded, s.B, grad, 1, ld_grad, patch, T_padded, block, T_padded,
                   Write::overwrite);
        for (std::size_t f = 0; f < s.F; ++f)
          std::copy(block + f * T_padded, block + f * T_padded + T,
                    sparse_row(e, dvalues, p, f));
      }
    }
    if (!dx) return;
    for (std::size_t f = 0; f < s.F; ++f) {
      const float* row = sparse_row(e, values, p, f);
      std::copy(row, row + T, block + f * T_padded);
      std::fill(block + f * T_padded + T, block + (f + 1) * T_padded, 0.0f);
    }
    float* dpatch = scratch(0, s.B * T_padded);
    small_gemm(s.B, T_padded, s.F, grad, ld_grad, 1, block, T_padded, dpatch, T_padded,
               Write::overwrite);
    scatter_taps(e, p, dpatch, T_padded, true, batch, dx_part);
  });
}

// y + bias, where bias holds one value per output of a sample in y's memory order (Keras'
// bias_add reshapes (spatial..., F) to the output's shape: for channels_first the same memory
// read as (F, spatial...), not a transpose). For the paths that do not add it in their products.
Variable add_bias(const Variable& y, const Variable& bias) {
  const std::size_t n = bias.size(), batch = y.size() / n;
  Tensor out = Tensor::from_shape(y.shape());
  const float* in = y.value().data();
  const float* b = bias.value().data();
  float* o = out.data();
  for (std::size_t s = 0; s < batch; ++s)
    for (std::size_t i = 0; i < n; ++i) o[s * n + i] = in[s * n + i] + b[i];
  return make_result("locally_connected_bias", std::move(out), {y, bias}, [n, batch](Node& self) {
    if (self.input_requires_grad(1)) {
      Tensor db = Tensor::from_shape(shape_of(self.input(1)));
      sum_rows(self.grad.data(), batch, n, n, db.data());
      self.inputs[1]->accumulate(std::move(db));
    }
    // The node's gradient is spent after this closure: hand it on instead of copying.
    if (self.input_requires_grad(0)) self.inputs[0]->accumulate(std::move(self.grad));
  });
}

// Paths 1, 2 (channels_last) and 3 as per-position products, bias included.
Variable per_position_products(int path, const Variable& x, const Variable& kernel,
                               const Variable* bias, const LcEnginePtr& engine, bool relu) {
  const LcGeometry& g = engine->geometry();
  // Appended, not `"…" + std::to_string(path)`: GCC 12 warns falsely (-Warray-bounds) on that
  // operator+ once inlined here.
  std::string what = "LocallyConnected implementation ";
  what += std::to_string(path);
  const std::size_t batch = check_input(x.value(), g, what.c_str());
  expect_shape(kernel.value(), engine->kernel_shape(path), what);
  if (bias) expect_shape(bias->value(), engine->bias_shape(), what);
  const bool dense = path == 2;
  auto blocks = [&g, dense](const float* data) {
    return KernelBlocks{data, dense, g.patch(), g.filters, g.outputs()};
  };
  auto forward = [&](float* y) {
    const float* b = bias ? bias->value().data() : nullptr;
    if (path == 3)
      sparse_forward(*engine, x.value().data(), kernel.value().data(), b, batch, y);
    else
      local_forward(*engine, x.value().data(), blocks(kernel.value().data()), b, batch, y);
  };
  Tensor y = Tensor::from_shape(with_batch(batch, g.output_shape()));
  if (g.channels_first) {
    std::vector<float> position_major(y.size());
    forward(position_major.data());
    swap_last_axes(position_major.data(), batch, g.positions(), g.filters, y.data());
  } else {
    forward(y.data());
  }
  if (relu) relu_forward(y.data(), y.data(), long(y.size()));
  std::vector<Variable> inputs{x, kernel};
  if (bias) inputs.push_back(*bias);
  std::string name = "locally_connected_";
  name += std::to_string(path);
  return make_result(
      std::move(name), std::move(y), inputs,
      [engine, batch, blocks, path, relu](Node& self) {
        const LcGeometry& g = engine->geometry();
        // The node's gradient is spent after this closure: the relu' factor goes into it.
        if (relu) relu_backward(self.value.data(), self.grad.data(), long(self.grad.size()));
        std::vector<float> position_major;
        const float* dy = self.grad.data();
        if (g.channels_first) {
          position_major.resize(self.grad.size());
          swap_last_axes(dy, batch, g.filters, g.positions(), position_major.data());
          dy = position_major.data();
        }
        InputGradient dx(self, 0), dkernel(self, 1);
        std::optional<InputGradient> dbias;
        if (self.inputs.size() > 2) dbias.emplace(self, 2);
        float* db = dbias ? dbias->data() : nullptr;
        if (path == 2 && dkernel.data())  // only the blocks are written
          zero(dkernel.data(), self.input(1).size());
        if (path == 3)
          sparse_backward(*engine, self.input(0).data(), self.input(1).data(), dy, batch,
                          dx.data(), dkernel.data(), db);
        else
          local_backward(*engine, self.input(0).data(), blocks(self.input(1).data()), dy, batch,
                         dx.data(), dkernel.data(), db);
        dx.commit();
        dkernel.commit();
        if (dbias) dbias->commit();
      });
}

Variable with_bias(Variable y, const Variable* bias) { return bias ? add_bias(y, *bias) : y; }

}  // namespace

Variable lc_local_products(const Variable& x, const Variable& kernel, const Variable* bias,
                           const LcEnginePtr& engine, bool relu) {
  return per_position_products(1, x, kernel, bias, engine, relu);
}

Variable lc_masked_dense(const Variable& x, const Variable& kernel, const Variable* bias,
                         const LcEnginePtr& engine, bool relu) {
  const LcGeometry& g = engine->geometry();
  // channels_last: position p's outputs are columns p·F … p·F + F of the dense kernel, a block
  // the per-position products read in place.
  if (!g.channels_first) return per_position_products(2, x, kernel, bias, engine, relu);
  const std::size_t batch = check_input(x.value(), g, "LocallyConnected implementation 2 input");
  const int B = int(batch), n_in = int(g.inputs()), n_out = int(g.outputs());
  const Tensor masked = engine->convert_kernel(kernel.value(), 2, 2);
  Tensor y = Tensor::from_shape(with_batch(batch, g.output_shape()));
  blas::sgemm(false, false, B, n_out, n_in, 1.0f, x.value().data(), n_in, masked.data(), n_out,
              0.0f, y.data(), n_out);
  const Variable product = make_result(
      "locally_connected_2", std::move(y), {x, kernel}, [engine, B, n_in, n_out](Node& self) {
        if (self.input_requires_grad(0)) {
          // The mask is recomputed rather than kept: it is as large as the kernel.
          const Tensor masked = engine->convert_kernel(self.input(1), 2, 2);
          Tensor dx = Tensor::from_shape(shape_of(self.input(0)));
          blas::sgemm(false, true, B, n_in, n_out, 1.0f, self.grad.data(), n_out, masked.data(),
                      n_out, 0.0f, dx.data(), n_in);
          self.inputs[0]->accumulate(std::move(dx));
        }
        if (self.input_requires_grad(1)) {
          Tensor full = Tensor::from_shape(shape_of(self.input(1)));
          blas::sgemm(true, false, n_in, n_out, B, 1.0f, self.input(0).data(), n_in,
                      self.grad.data(), n_out, 0.0f, full.data(), n_out);
          self.inputs[1]->accumulate(engine->convert_kernel(full, 2, 2));
        }
      });
  // The bias is an op of its own on this path, and so is relu after it.
  const Variable y_biased = with_bias(product, bias);
  return relu ? tessera::relu(y_biased) : y_biased;
}

Variable lc_sparse_product(const Variable& x, const Variable& kernel, const Variable* bias,
                           const LcEnginePtr& engine, bool relu) {
  return per_position_products(3, x, kernel, bias, engine, relu);
}

Variable lc_compute(int path, const Variable& x, const Variable& kernel, const Variable* bias,
                    const LcEnginePtr& engine, bool relu) {
  if (path == 1) return lc_local_products(x, kernel, bias, engine, relu);
  if (path == 2) return lc_masked_dense(x, kernel, bias, engine, relu);
  if (path == 3) return lc_sparse_product(x, kernel, bias, engine, relu);
  throw std::invalid_argument("LocallyConnected compute path must be 1, 2 or 3, got " +
                              std::to_string(path));
}

LcPathChoice choose_lc_path(const LcEngine& engine, std::size_t batch) {
  // Estimated seconds of a forward pass on one core of this project's machine (issue 7's
  // measurements): OpenBLAS sgemm ≈ 100 GFLOP/s on large products, less on small ones; a call
  // costs ≈ 0.5 µs, small_gemm's ≈ 0.05 µs (the per-position paths use it when F is a
  // multiple of the SIMD width); memory ≈ 20 GB/s. 'auto' stores implementation 1's layout,
  // so paths 2 and 3, the same products on another layout, only win where the model says one
  // dense product beats per-position ones (channels_first, few positions).
  const LcGeometry& g = engine.geometry();
  const double B = double(batch), F = double(g.filters), K = double(g.patch());
  const double connections = double(engine.connections());
  const double dense = double(g.inputs()) * double(g.outputs());
  auto small = [](double d) { return d / (d + 8.0); };  // efficiency of a thin GEMM dimension
  const double gemm = 100e9, call = 0.5e-6, memory = 20e9;
  const double local_call = g.filters % small_gemm_width() == 0 ? 0.05e-6 : call;
  const double local = 2 * B * connections / (gemm * small(B) * small(F) * small(K)) +
                       double(g.positions()) * local_call;
  const double cost[4] = {
      0.0,
      local,
      // channels_last: the same products on the dense kernel's blocks, plus zeroing its
      // gradient outside them; channels_first: one masked product.
      g.channels_first ? 2 * B * dense / (gemm * small(B)) + 8 * dense / memory + call
                       : local + 4 * dense / memory,
      // the same products, each position's block of values copied into place
      local + 8 * connections / memory};
  int best = 1;
  for (int path : {2, 3})
    if (cost[path] < cost[best]) best = path;
  const char* names[4] = {"", "per-position products", "masked dense product",
                          "per-position products on the sparse values"};
  auto us = [](double s) { return std::to_string(long(s * 1e6 + 0.5)) + " us"; };
  return {best, std::string(names[best]) + ": estimated " + us(cost[best]) + " (1: " + us(cost[1]) +
                    ", 2: " + us(cost[2]) + ", 3: " + us(cost[3]) + ") for batch " +
                    std::to_string(batch)};
}

}  // namespace tessera
