#include "core/pooling.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "core/tensor_memory.hpp"

namespace tessera {

namespace {

// Every window's real inputs, as offsets within a sample of their first channel (the same for
// every sample), windows and their inputs in row-major order. Under TensorFlow's padding rules
// every window holds at least one.
class WindowTaps {
 public:
  WindowTaps(const Shape& in, const Im2colSpec& s) {
    for (std::size_t oh = 0; oh < s.out_h; ++oh)
      for (std::size_t ow = 0; ow < s.out_w; ++ow) {
        const long h0 = long(oh * s.stride_h) - long(s.pad_top);
        const long w0 = long(ow * s.stride_w) - long(s.pad_left);
        const long h_hi = std::min(h0 + long(s.kernel_h), long(in[1]));
        const long w_hi = std::min(w0 + long(s.kernel_w), long(in[2]));
        for (long h = std::max(h0, 0L); h < h_hi; ++h)
          for (long w = std::max(w0, 0L); w < w_hi; ++w)
            taps_.push_back(std::uint32_t((std::size_t(h) * in[2] + std::size_t(w)) * in[3]));
        first_.push_back(taps_.size());
      }
  }
  std::size_t windows() const { return first_.size() - 1; }
  std::size_t count(std::size_t i) const { return first_[i + 1] - first_[i]; }
  const std::uint32_t* taps(std::size_t i) const { return taps_.data() + first_[i]; }

 private:
  std::vector<std::size_t> first_{0};  // window i's taps are taps_[first_[i]] … [first_[i + 1] − 1]
  std::vector<std::uint32_t> taps_;
};

// Calls visit(out_offset, in_offset) with the offsets of the first channel of every (output, real
// input in its window) pair, samples and windows in row-major order; first(out_offset, count)
// before each window.
template <class First, class Visit>
void for_each_window(const Shape& in, const Im2colSpec& s, First first, Visit visit) {
  const WindowTaps w(in, s);
  const std::size_t C = in[3], in_size = in[1] * in[2] * C;
  for (std::size_t b = 0; b < in[0]; ++b)
    for (std::size_t i = 0; i < w.windows(); ++i) {
      const std::size_t out = (b * w.windows() + i) * C;
      first(out, w.count(i));
      for (std::size_t t = 0; t < w.count(i); ++t) visit(out, b * in_size + w.taps(i)[t]);
    }
}

// Samples are independent (their windows read and write only their own values): large
// batches are shared among the threads.
bool worth_threads(const Shape& in) {
  return in[0] > 1 && in[0] * in[1] * in[2] * in[3] > (1 << 15);
}

void check_input(const Shape& in, const Im2colSpec& s) {
  if (in.size() != 4)
    throw ShapeError("pool2d expects (batch, rows, cols, channels), got " + shape_str(in));
  if (s.kernel_h == 0 || s.kernel_w == 0 || s.stride_h == 0 || s.stride_w == 0)
    throw ShapeError("pool2d: pool sizes and strides must be positive");
  if (in[1] * in[2] * in[3] > std::numeric_limits<std::uint32_t>::max())
    throw ShapeError("pooling: a sample of " + shape_str(in) + " has more than 2^32 - 1 values");
}

// Where each output's maximum came from, for the backward pass: its input's offset within its
// sample. 32 bits (a sample of up to 4 Gi values) halve what 64-bit offsets wrote and let the
// selects below work 8 lanes wide; storage from tensor memory, so each step reuses the last
// step's pages; not zeroed: every window holds at least one real input under TensorFlow's
// padding rules, so every output gets a source.
class Sources {
 public:
  explicit Sources(std::size_t n)
      : bytes_(n * sizeof(std::uint32_t)),
        data_(static_cast<std::uint32_t*>(tensor_memory::allocate(bytes_))) {}
  ~Sources() { tensor_memory::release(data_, bytes_); }
  Sources(const Sources&) = delete;
  Sources& operator=(const Sources&) = delete;
  std::uint32_t* data() const { return data_; }

 private:
  std::size_t bytes_;
  std::uint32_t* data_;
};

// Each SIMD lane's number, for the channel index each lane holds.
constexpr std::array<std::uint32_t, 16> kLanes{0, 1, 2,  3,  4,  5,  6,  7,
                                               8, 9, 10, 11, 12, 13, 14, 15};

// One window's maximum per channel over its n taps (offsets into `sample`) into y, and where it
// came from (the first largest: a later tap replaces it only if larger, so a NaN never does)
// into src. SIMD-wide runs of channels keep both in registers across the taps. Before, each
// tap loaded and stored the output and its sources, and GCC made the select that keeps y a
// masked store, which Zen runs slowly. With the windows' taps listed once per call
// (WindowTaps), the demo's 64×26×26×32 pooling forward went from 0.64–0.67 to 0.24 ms (p10,
// old and new library alternated, 2 threads).
void window_max(const float* sample, const std::uint32_t* taps, std::size_t n, std::size_t C,
                float* y, std::uint32_t* src) {
  using F = xsimd::batch<float>;
  using U = xsimd::batch<std::uint32_t>;
  static_assert(F::size <= kLanes.size());
  std::size_t c = 0;
  for (; c + F::size <= C; c += F::size) {
    const U lane = U::load_unaligned(kLanes.data()) + U(std::uint32_t(c));
    F best = F::load_unaligned(sample + taps[0] + c);
    U at = lane + U(taps[0]);
    for (std::size_t t = 1; t < n; ++t) {
      const F v = F::load_unaligned(sample + taps[t] + c);
      const auto larger = v > best;
      best = xsimd::select(larger, v, best);
      at = xsimd::bitwise_cast<U>(xsimd::select(larger, xsimd::bitwise_cast<F>(lane + U(taps[t])),
                                                xsimd::bitwise_cast<F>(at)));
    }
    best.store_unaligned(y + c);
    at.store_unaligned(src + c);
  }
  for (; c < C; ++c) {  // the channels left, one at a time
    float kept = sample[taps[0] + c];
    std::uint32_t at = taps[0] + std::uint32_t(c);
    for (std::size_t t = 1; t < n; ++t)
      if (sample[taps[t] + c] > kept) kept = sample[taps[t] + c], at = taps[t] + std::uint32_t(c);
    y[c] = kept;
    src[c] = at;
  }
}

// gx[c] = gy[c] for the channels whose maximum came from this tap (offset `tap` in the
// sample), else 0: a select on the bits (left to GCC, it loaded gy with a masked load).
void route(const float* gy, const std::uint32_t* src, std::uint32_t tap, std::size_t C,
           float* gx) {
  using F = xsimd::batch<float>;
  using U = xsimd::batch<std::uint32_t>;
  std::size_t c = 0;
  for (; c + U::size <= C; c += U::size) {
    const U index = U::load_unaligned(kLanes.data()) + U(tap + std::uint32_t(c));
    const U g = xsimd::bitwise_cast<U>(F::load_unaligned(gy + c));
    const U routed = xsimd::select(U::load_unaligned(src + c) == index, g, U(0u));
    xsimd::bitwise_cast<F>(routed).store_unaligned(gx + c);
  }
  for (; c < C; ++c) gx[c] = src[c] == tap + c ? gy[c] : 0.0f;
}

Variable max_pool(const Variable& x, const Im2colSpec& s) {
  const Shape in = x.shape();
  const std::size_t C = in[3], in_size = in[1] * in[2] * C;
  Tensor y = Tensor::from_shape({in[0], s.out_h, s.out_w, C});
  const std::size_t out_size = y.size() / std::max<std::size_t>(in[0], 1);
  auto source = std::make_shared<Sources>(y.size());
  auto windows = std::make_shared<const WindowTaps>(in, s);
  // Windows that do not overlap send each input at most one gradient: the backward writes each
  // window's inputs' (the maximum's or 0) instead of zeroing gx and adding, and zeroes first
  // only where some input lies in no window (backward 0.35 → 0.25 ms as above).
  const bool apart = s.stride_h >= s.kernel_h && s.stride_w >= s.kernel_w;
  const bool tiled = s.stride_h == s.kernel_h && s.stride_w == s.kernel_w &&
                     s.out_h * s.kernel_h >= in[1] + s.pad_top &&
                     s.out_w * s.kernel_w >= in[2] + s.pad_left;
  const float* xv = x.value().data();
  float* yv = y.data();
#pragma omp parallel for schedule(static) if (worth_threads(in))
  for (long b = 0; b < long(in[0]); ++b)
    for (std::size_t i = 0; i < windows->windows(); ++i) {
      const std::size_t out = std::size_t(b) * out_size + i * C;
      window_max(xv + std::size_t(b) * in_size, windows->taps(i), windows->count(i), C, yv + out,
                 source->data() + out);
    }
  return make_result("max_pool2d", std::move(y), {x},
                     [source, windows, C, in_size, out_size, apart, tiled](Node& self) {
    const Shape in = shape_of(self.input(0));
    Tensor g = Tensor::from_shape(in);
    const float* gy = self.grad.data();
    float* gx = g.data();
#pragma omp parallel for schedule(static) if (worth_threads(in))
    for (long b = 0; b < long(in[0]); ++b) {
      float* gx_b = gx + std::size_t(b) * in_size;
      const std::uint32_t* src = source->data() + std::size_t(b) * out_size;
      const float* gy_b = gy + std::size_t(b) * out_size;
      if (!tiled) std::fill(gx_b, gx_b + in_size, 0.0f);
      if (!apart) {
        for (std::size_t i = 0; i < out_size; ++i) gx_b[src[i]] += gy_b[i];
        continue;
      }
      for (std::size_t i = 0; i < windows->windows(); ++i)
        for (std::size_t t = 0; t < windows->count(i); ++t) {
          const std::uint32_t tap = windows->taps(i)[t];
          route(gy_b + i * C, src + i * C, tap, C, gx_b + tap);
        }
    }
    self.inputs[0]->accumulate(std::move(g));
  });
}

Variable average_pool(const Variable& x, const Im2colSpec& s) {
  const Shape in = x.shape();
  const std::size_t C = in[3];
  Tensor y = zeros({in[0], s.out_h, s.out_w, C});
  auto counts = std::make_shared<std::vector<float>>(y.size() / std::max<std::size_t>(C, 1), 1.0f);
  const float* xv = x.value().data();
  float* yv = y.data();
  for_each_window(
      in, s, [&](std::size_t out, std::size_t n) { (*counts)[out / C] = float(n); },
      [&](std::size_t out, std::size_t from) {
        for (std::size_t c = 0; c < C; ++c) yv[out + c] += xv[from + c];
      });
  for (std::size_t i = 0; i < y.size(); ++i) yv[i] /= (*counts)[i / C];
  return make_result("average_pool2d", std::move(y), {x}, [s, counts](Node& self) {
    const Shape in = shape_of(self.input(0));
    const std::size_t C = in[3];
    Tensor g = zeros(in);
    const float* gy = self.grad.data();
    for_each_window(
        in, s, [](std::size_t, std::size_t) {},
        [&](std::size_t out, std::size_t to) {
          const float share = 1.0f / (*counts)[out / C];
          for (std::size_t c = 0; c < C; ++c) g.data()[to + c] += gy[out + c] * share;
        });
    self.inputs[0]->accumulate(std::move(g));
  });
}

}  // namespace

Variable pool2d(const Variable& x, const Im2colSpec& spec, PoolMode mode) {
  check_input(x.shape(), spec);
  return mode == PoolMode::max ? max_pool(x, spec) : average_pool(x, spec);
}

}  // namespace tessera
