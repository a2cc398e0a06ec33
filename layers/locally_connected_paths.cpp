// The three compute paths of the LocallyConnected engine, forward and backward, and the cost
// model of 'auto'. Buffers are flat per sample: x (B, n_in), y (B, n_out) in the data_format's
// memory order; path 1 works position-major (B, P, F) and transposes for channels_first.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "core/blas.hpp"
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

// Runs body(i, thread) for i in [0, n): over OpenMP threads with OpenBLAS single-threaded inside
// (two thread pools on the same cores oversubscribe badly), or serially with OpenBLAS' own
// threads when there are too few items or too little work (≈ `flops` in all) to share: a
// parallel region costs microseconds, far more than a tiny layer's whole pass.
template <class Body>
void parallel_for(std::size_t n, double flops, Body body) {
  const int threads = omp_get_max_threads();
  if (threads < 2 || n < 2 * std::size_t(threads) || flops < 2e5) {
    for (std::size_t i = 0; i < n; ++i) body(i, 0);
    return;
  }
  const int saved = blas::num_threads();
  blas::set_num_threads(1);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < long(n); ++i) body(std::size_t(i), omp_get_thread_num());
  blas::set_num_threads(saved);
}

// Per-thread accumulators of a scatter-add (positions overlap in the input): thread 0 adds
// straight into the zeroed result, other threads into buffers of their own added at the end.
class ScatterBuffers {
 public:
  ScatterBuffers(float* out, std::size_t size)
      : out_(out), size_(size), buffers_(std::size_t(omp_get_max_threads())) {
    if (out_) std::fill(out_, out_ + size_, 0.0f);
  }
  float* get(int thread) {
    if (thread == 0) return out_;
    auto& b = buffers_[std::size_t(thread)];
    if (b.empty()) b.assign(size_, 0.0f);
    return b.data();
  }
  void finish() {
    for (const auto& b : buffers_)
      for (std::size_t i = 0; i < b.size(); ++i) out_[i] += b[i];
  }

 private:
  float* out_;
  std::size_t size_;
  std::vector<std::vector<float>> buffers_;
};

// dst[b, j, i] = src[b, i, j] for src (B, m, n).
void swap_last_axes(const float* src, std::size_t batch, std::size_t m, std::size_t n, float* dst) {
  for (std::size_t b = 0; b < batch; ++b, src += m * n, dst += m * n)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) dst[j * m + i] = src[i * n + j];
}

// ---- path 1 ----------------------------------------------------------------------------------

// The patches of position p for every sample: (B, K), zeros where a tap is padding.
void gather_patch(const LcEngine& e, std::size_t p, const float* x, std::size_t batch,
                  float* patch) {
  const LcGeometry& g = e.geometry();
  const std::size_t K = g.patch(), n_in = g.inputs();
  if (e.taps(p).size() < K) std::fill(patch, patch + batch * K, 0.0f);
  for (std::size_t b = 0; b < batch; ++b)
    for (const LcRun& r : e.runs(p))
      std::memcpy(patch + b * K + r.patch, x + b * n_in + r.input, r.length * sizeof(float));
}

void scatter_patch(const LcEngine& e, std::size_t p, const float* patch, std::size_t batch,
                   float* dx) {
  const LcGeometry& g = e.geometry();
  const std::size_t K = g.patch(), n_in = g.inputs();
  for (std::size_t b = 0; b < batch; ++b)
    for (const LcRun& r : e.runs(p)) {
      const float* src = patch + b * K + r.patch;
      float* dst = dx + b * n_in + r.input;
      for (std::size_t i = 0; i < r.length; ++i) dst[i] += src[i];
    }
}

// Each run of a position is a (B, length) matrix inside x with leading dimension n_in, so a
// position's product can read x in place, one GEMM per run; or gather its runs into a (B, K)
// patch first, one GEMM in all. Long runs (channels_last: kernel_cols·C values) are read in
// place and spare the copy; short ones (channels_first: kernel_cols values) are gathered.
bool reads_in_place(const LcEngine& e) {
  const std::size_t runs = e.runs(0).size(), taps = e.taps(0).size();
  return runs == 1 || taps >= 64 * runs;
}

// y (B, P, F) = per position p: patch_p (B, K) · kernel[p] (K, F).
void local_forward(const LcEngine& e, const float* x, const float* kernel, std::size_t batch,
                   float* y) {
  const LcGeometry& g = e.geometry();
  const int K = int(g.patch()), F = int(g.filters), P = int(g.positions()), B = int(batch);
  const int n_in = int(g.inputs());
  const bool in_place = reads_in_place(e);
  auto patches = std::vector<std::vector<float>>(std::size_t(omp_get_max_threads()));
  parallel_for(g.positions(), 2.0 * double(batch) * double(e.connections()),
               [&](std::size_t p, int thread) {
                 const float* w = kernel + p * K * F;
                 float* out = y + p * F;
                 if (in_place) {
                   float beta = 0.0f;
                   for (const LcRun& r : e.runs(p)) {
                     blas::sgemm(false, false, B, F, int(r.length), 1.0f, x + r.input, n_in,
                                 w + r.patch * F, F, beta, out, P * F);
                     beta = 1.0f;
                   }
                   return;
                 }
                 auto& patch = patches[std::size_t(thread)];
                 patch.resize(batch * g.patch());
                 gather_patch(e, p, x, batch, patch.data());
                 blas::sgemm(false, false, B, F, K, 1.0f, patch.data(), K, w, F, 0.0f, out, P * F);
               });
}

// dkernel[p] = patch_pᵀ · dy_p and dx += scatter(dy_p · kernel[p]ᵀ); dy is (B, P, F). Rows of
// dkernel for padding taps are 0.
void local_backward(const LcEngine& e, const float* x, const float* kernel, const float* dy,
                    std::size_t batch, float* dx, float* dkernel) {
  const LcGeometry& g = e.geometry();
  const int K = int(g.patch()), F = int(g.filters), P = int(g.positions()), B = int(batch);
  const int n_in = int(g.inputs());
  const bool in_place = reads_in_place(e);
  auto patches = std::vector<std::vector<float>>(std::size_t(omp_get_max_threads()));
  ScatterBuffers dx_parts(dx, dx ? batch * g.inputs() : 0);
  parallel_for(
      g.positions(), 4.0 * double(batch) * double(e.connections()), [&](std::size_t p, int thread) {
        const float* w = kernel + p * K * F;
        const float* grad = dy + p * F;
        float* dw = dkernel ? dkernel + p * K * F : nullptr;
        if (in_place) {
          if (dw && e.taps(p).size() < std::size_t(K)) std::fill(dw, dw + K * F, 0.0f);
          float* dx_part = dx ? dx_parts.get(thread) : nullptr;
          for (const LcRun& r : e.runs(p)) {
            if (dw)
              blas::sgemm(true, false, int(r.length), F, B, 1.0f, x + r.input, n_in, grad, P * F,
                          0.0f, dw + r.patch * F, F);
            if (dx_part)
              blas::sgemm(false, true, B, int(r.length), F, 1.0f, grad, P * F, w + r.patch * F, F,
                          1.0f, dx_part + r.input, n_in);
          }
          return;
        }
        auto& patch = patches[std::size_t(thread)];
        patch.resize(batch * g.patch());
        if (dw) {
          gather_patch(e, p, x, batch, patch.data());
          blas::sgemm(true, false, K, F, B, 1.0f, patch.data(), K, grad, P * F, 0.0f, dw, F);
        }
        if (dx) {
          blas::sgemm(false, true, B, K, F, 1.0f, grad, P * F, w, F, 0.0f, patch.data(), K);
          scatter_patch(e, p, patch.data(), batch, dx_parts.get(thread));
        }
      });
  if (dx) dx_parts.finish();
}

// ---- path 3 ----------------------------------------------------------------------------------

// yt (n_out, B) = sparse (n_out, n_in) · xt (n_in, B), rows in Keras' order.
void sparse_forward(const LcEngine& e, const float* xt, const float* values, std::size_t batch,
                    float* yt) {
  const LcGeometry& g = e.geometry();
  const std::size_t P = g.positions();
  parallel_for(g.outputs(), 2.0 * double(batch) * double(e.connections()), [&](std::size_t o, int) {
    const auto taps = e.taps(g.channels_first ? o % P : o / g.filters);
    const float* v = values + e.row_start(o);
    float* row = yt + o * batch;
    std::fill(row, row + batch, 0.0f);
    for (std::size_t j = 0; j < taps.size(); ++j) {
      const float* in = xt + std::size_t(taps[j].input) * batch;
      for (std::size_t b = 0; b < batch; ++b) row[b] += v[j] * in[b];
    }
  });
}

void sparse_backward(const LcEngine& e, const float* xt, const float* values, const float* dyt,
                     std::size_t batch, float* dxt, float* dvalues) {
  const LcGeometry& g = e.geometry();
  const std::size_t P = g.positions();
  ScatterBuffers dx_parts(dxt, dxt ? g.inputs() * batch : 0);
  parallel_for(g.outputs(), 4.0 * double(batch) * double(e.connections()),
               [&](std::size_t o, int thread) {
                 const auto taps = e.taps(g.channels_first ? o % P : o / g.filters);
                 const std::size_t start = e.row_start(o);
                 const float* grad = dyt + o * batch;
                 float* dx_part = dxt ? dx_parts.get(thread) : nullptr;
                 for (std::size_t j = 0; j < taps.size(); ++j) {
                   const std::size_t in = std::size_t(taps[j].input) * batch;
                   if (dvalues) {
                     float dot = 0.0f;
                     for (std::size_t b = 0; b < batch; ++b) dot += grad[b] * xt[in + b];
                     dvalues[start + j] = dot;
                   }
                   if (dx_part)
                     for (std::size_t b = 0; b < batch; ++b)
                       dx_part[in + b] += values[start + j] * grad[b];
                 }
               });
  if (dxt) dx_parts.finish();
}

}  // namespace

Variable lc_local_products(const Variable& x, const Variable& kernel, const LcEnginePtr& engine) {
  const LcGeometry& g = engine->geometry();
  const std::size_t batch = check_input(x.value(), g, "LocallyConnected implementation 1 input");
  expect_shape(kernel.value(), engine->kernel_shape(1), "LocallyConnected implementation 1 kernel");
  Tensor y = Tensor::from_shape(with_batch(batch, g.output_shape()));
  if (g.channels_first) {
    std::vector<float> position_major(y.size());
    local_forward(*engine, x.value().data(), kernel.value().data(), batch, position_major.data());
    swap_last_axes(position_major.data(), batch, g.positions(), g.filters, y.data());
  } else {
    local_forward(*engine, x.value().data(), kernel.value().data(), batch, y.data());
  }
  return make_result("locally_connected_1", std::move(y), {x, kernel}, [engine, batch](Node& self) {
    const LcGeometry& g = engine->geometry();
    std::vector<float> position_major;
    const float* dy = self.grad.data();
    if (g.channels_first) {
      position_major.resize(self.grad.size());
      swap_last_axes(dy, batch, g.filters, g.positions(), position_major.data());
      dy = position_major.data();
    }
    Tensor dx, dkernel;
    if (self.input_requires_grad(0)) dx = Tensor::from_shape(shape_of(self.input(0)));
    if (self.input_requires_grad(1)) dkernel = Tensor::from_shape(shape_of(self.input(1)));
    local_backward(*engine, self.input(0).data(), self.input(1).data(), dy, batch,
                   self.input_requires_grad(0) ? dx.data() : nullptr,
                   self.input_requires_grad(1) ? dkernel.data() : nullptr);
    if (self.input_requires_grad(0)) self.inputs[0]->accumulate(std::move(dx));
    if (self.input_requires_grad(1)) self.inputs[1]->accumulate(std::move(dkernel));
  });
}

Variable lc_masked_dense(const Variable& x, const Variable& kernel, const LcEnginePtr& engine) {
  const LcGeometry& g = engine->geometry();
  const std::size_t batch = check_input(x.value(), g, "LocallyConnected implementation 2 input");
  const int B = int(batch), n_in = int(g.inputs()), n_out = int(g.outputs());
  const Tensor masked = engine->convert_kernel(kernel.value(), 2, 2);
  Tensor y = Tensor::from_shape(with_batch(batch, g.output_shape()));
  blas::sgemm(false, false, B, n_out, n_in, 1.0f, x.value().data(), n_in, masked.data(), n_out,
              0.0f, y.data(), n_out);
  return make_result("locally_connected_2", std::move(y), {x, kernel},
                     [engine, B, n_in, n_out](Node& self) {
                       if (self.input_requires_grad(0)) {
                         // The mask is recomputed rather than kept: it is as large as the kernel.
                         const Tensor masked = engine->convert_kernel(self.input(1), 2, 2);
                         Tensor dx = Tensor::from_shape(shape_of(self.input(0)));
                         blas::sgemm(false, true, B, n_in, n_out, 1.0f, self.grad.data(), n_out,
                                     masked.data(), n_out, 0.0f, dx.data(), n_in);
                         self.inputs[0]->accumulate(std::move(dx));
                       }
                       if (self.input_requires_grad(1)) {
                         Tensor full = Tensor::from_shape(shape_of(self.input(1)));
                         blas::sgemm(true, false, n_in, n_out, B, 1.0f, self.input(0).data(), n_in,
                                     self.grad.data(), n_out, 0.0f, full.data(), n_out);
                         self.inputs[1]->accumulate(engine->convert_kernel(full, 2, 2));
                       }
                     });
}

Variable lc_sparse_product(const Variable& x, const Variable& kernel, const LcEnginePtr& engine) {
  const LcGeometry& g = engine->geometry();
  const std::size_t batch = check_input(x.value(), g, "LocallyConnected implementation 3 input");
  expect_shape(kernel.value(), engine->kernel_shape(3), "LocallyConnected implementation 3 kernel");
  const std::size_t n_in = g.inputs(), n_out = g.outputs();
  std::vector<float> xt(batch * n_in), yt(batch * n_out);
  swap_last_axes(x.value().data(), 1, batch, n_in, xt.data());
  sparse_forward(*engine, xt.data(), kernel.value().data(), batch, yt.data());
  Tensor y = Tensor::from_shape(with_batch(batch, g.output_shape()));
  swap_last_axes(yt.data(), 1, n_out, batch, y.data());
  return make_result("locally_connected_3", std::move(y), {x, kernel},
                     [engine, batch, n_in, n_out](Node& self) {
                       std::vector<float> xt(batch * n_in), dyt(batch * n_out), dxt;
                       swap_last_axes(self.input(0).data(), 1, batch, n_in, xt.data());
                       swap_last_axes(self.grad.data(), 1, batch, n_out, dyt.data());
                       Tensor dkernel;
                       if (self.input_requires_grad(0)) dxt.resize(batch * n_in);
                       if (self.input_requires_grad(1))
                         dkernel = Tensor::from_shape(shape_of(self.input(1)));
                       sparse_backward(*engine, xt.data(), self.input(1).data(), dyt.data(), batch,
                                       self.input_requires_grad(0) ? dxt.data() : nullptr,
                                       self.input_requires_grad(1) ? dkernel.data() : nullptr);
                       if (self.input_requires_grad(0)) {
                         Tensor dx = Tensor::from_shape(shape_of(self.input(0)));
                         swap_last_axes(dxt.data(), 1, n_in, batch, dx.data());
                         self.inputs[0]->accumulate(std::move(dx));
                       }
                       if (self.input_requires_grad(1))
                         self.inputs[1]->accumulate(std::move(dkernel));
                     });
}

Variable lc_compute(int path, const Variable& x, const Variable& kernel,
                    const LcEnginePtr& engine) {
  if (path == 1) return lc_local_products(x, kernel, engine);
  if (path == 2) return lc_masked_dense(x, kernel, engine);
  if (path == 3) return lc_sparse_product(x, kernel, engine);
  throw std::invalid_argument("LocallyConnected compute path must be 1, 2 or 3, got " +
                              std::to_string(path));
}

LcPathChoice choose_lc_path(const LcEngine& engine, std::size_t batch) {
  // Estimated seconds of a forward pass on one core of this project's machine (issue 7's
  // measurements): OpenBLAS sgemm ≈ 100 GFLOP/s on large products, less on small ones; a call
  // costs ≈ 0.5 µs; the sparse loop runs at a few GFLOP/s; memory ≈ 20 GB/s.
  const LcGeometry& g = engine.geometry();
  const double B = double(batch), F = double(g.filters), K = double(g.patch());
  const double connections = double(engine.connections());
  const double dense = double(g.inputs()) * double(g.outputs());
  auto small = [](double d) { return d / (d + 8.0); };  // efficiency of a thin GEMM dimension
  const double gemm = 100e9, call = 0.5e-6, sparse = 4e9, memory = 20e9;
  const double cost[4] = {
      0.0,
      2 * B * connections / (gemm * small(B) * small(F) * small(K)) + double(g.positions()) * call,
      2 * B * dense / (gemm * small(B)) + 8 * dense / memory + call,
      2 * B * connections / sparse + 4 * connections / memory};
  int best = 1;
  for (int path : {2, 3})
    if (cost[path] < cost[best]) best = path;
  const char* names[4] = {"", "per-position products", "one masked dense product",
                          "sparse product"};
  auto us = [](double s) { return std::to_string(long(s * 1e6 + 0.5)) + " us"; };
  return {best, std::string(names[best]) + ": estimated " + us(cost[best]) + " (1: " + us(cost[1]) +
                    ", 2: " + us(cost[2]) + ", 3: " + us(cost[3]) + ") for batch " +
                    std::to_string(batch)};
}

}  // namespace tessera
