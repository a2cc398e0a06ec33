#include "core/pooling.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

#include "core/tensor_memory.hpp"

namespace tessera {

namespace {

// Calls visit(out_offset, in_offset) with the offsets of the first channel of every (output, real
// input in its window) pair of sample b, windows in row-major order; first(out_offset, count)
// before each window.
template <class First, class Visit>
void for_each_window_of(std::size_t b, const Shape& in, const Im2colSpec& s, First first,
                        Visit visit) {
  const std::size_t H = in[1], W = in[2], C = in[3];
  for (std::size_t oh = 0; oh < s.out_h; ++oh)
    for (std::size_t ow = 0; ow < s.out_w; ++ow) {
      const long h0 = long(oh * s.stride_h) - long(s.pad_top);
      const long w0 = long(ow * s.stride_w) - long(s.pad_left);
      const long h_lo = std::max(h0, 0L), h_hi = std::min(h0 + long(s.kernel_h), long(H));
      const long w_lo = std::max(w0, 0L), w_hi = std::min(w0 + long(s.kernel_w), long(W));
      const std::size_t out = ((b * s.out_h + oh) * s.out_w + ow) * C;
      first(out, std::size_t((h_hi - h_lo) * (w_hi - w_lo)));
      for (long h = h_lo; h < h_hi; ++h)
        for (long w = w_lo; w < w_hi; ++w)
          visit(out, ((b * H + std::size_t(h)) * W + std::size_t(w)) * C);
    }
}

// The same for every sample.
template <class First, class Visit>
void for_each_window(const Shape& in, const Im2colSpec& s, First first, Visit visit) {
  for (std::size_t b = 0; b < in[0]; ++b) for_each_window_of(b, in, s, first, visit);
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

// y[c], src[c] = x[c], from + c where x[c] is larger, for c < C: selects, no branch to
// mispredict (they vectorize: pooling.cpp is compiled with -fno-trapping-math).
void keep_larger(const float* __restrict x, std::uint32_t from, std::size_t C,
                 float* __restrict y, std::uint32_t* __restrict src) {
  for (std::size_t c = 0; c < C; ++c) {
    const bool larger = x[c] > y[c];
    y[c] = larger ? x[c] : y[c];
    src[c] = larger ? from + std::uint32_t(c) : src[c];
  }
}

Variable max_pool(const Variable& x, const Im2colSpec& s) {
  const Shape in = x.shape();
  const std::size_t C = in[3], in_size = in[1] * in[2] * C;
  if (in_size > std::numeric_limits<std::uint32_t>::max())
    throw ShapeError("max pooling: a sample of " + shape_str(in) +
                     " has more than 2^32 - 1 values");
  Tensor y = Tensor::from_shape({in[0], s.out_h, s.out_w, C});
  const std::size_t out_size = y.size() / std::max<std::size_t>(in[0], 1);
  auto source = std::make_shared<Sources>(y.size());
  const float* xv = x.value().data();
  float* yv = y.data();
#pragma omp parallel for schedule(static) if (worth_threads(in))
  for (long b = 0; b < long(in[0]); ++b) {
    const std::size_t sample = std::size_t(b) * in_size;
    bool first_tap = true;
    for_each_window_of(
        std::size_t(b), in, s, [&](std::size_t, std::size_t) { first_tap = true; },
        [&](std::size_t out, std::size_t from) {
          std::uint32_t* src = source->data() + out;
          const auto local = std::uint32_t(from - sample);
          if (first_tap) {
            for (std::size_t c = 0; c < C; ++c) {
              yv[out + c] = xv[from + c];
              src[c] = local + std::uint32_t(c);
            }
            first_tap = false;
            return;
          }
          keep_larger(xv + from, local, C, yv + out, src);
        });
  }
  return make_result("max_pool2d", std::move(y), {x}, [source, in_size, out_size](Node& self) {
    const Shape in = shape_of(self.input(0));
    Tensor g = Tensor::from_shape(in);
    const float* gy = self.grad.data();
    float* gx = g.data();
#pragma omp parallel for schedule(static) if (worth_threads(in))
    for (long b = 0; b < long(in[0]); ++b) {
      float* gx_b = gx + std::size_t(b) * in_size;
      const std::uint32_t* src = source->data() + std::size_t(b) * out_size;
      const float* gy_b = gy + std::size_t(b) * out_size;
      std::fill(gx_b, gx_b + in_size, 0.0f);
      for (std::size_t i = 0; i < out_size; ++i) gx_b[src[i]] += gy_b[i];
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
