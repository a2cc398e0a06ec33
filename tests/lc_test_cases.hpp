// Shared by the LocallyConnected tests: the shapes every combination is tested on, layer
// construction, and references written from keras-format.md independently of the engine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "layers/locally_connected1d.hpp"
#include "layers/locally_connected2d.hpp"

namespace lc_test {

using namespace tessera;

// One layer configuration: non-square inputs and kernels, strides > 1, even and odd kernels.
struct Case {
  std::size_t rank;
  std::vector<std::size_t> spatial;  // input rows, cols (or steps)
  std::size_t channels;
  long filters;
  std::vector<long> kernel, strides;
  std::string padding, data_format;

  bool same() const { return padding == "same"; }
  bool channels_first() const { return data_format == "channels_first"; }
  Shape input_shape() const {  // per sample
    Shape s(spatial.begin(), spatial.end());
    if (channels_first())
      s.insert(s.begin(), channels);
    else
      s.push_back(channels);
    return s;
  }
  std::string label() const {
    std::string s = "LC" + std::to_string(rank) + "D in";
    for (auto v : spatial) s += " " + std::to_string(v);
    s += " k";
    for (auto v : kernel) s += " " + std::to_string(v);
    s += " s";
    for (auto v : strides) s += " " + std::to_string(v);
    return s + " " + padding + " " + data_format;
  }
};

// Every rank × data_format × padding, each with two kernel/stride shapes.
inline std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const char* format : {"channels_last", "channels_first"})
    for (const char* padding : {"valid", "same"}) {
      cases.push_back({2, {5, 4}, 2, 2, {3, 2}, {2, 1}, padding, format});
      cases.push_back({2, {4, 5}, 2, 2, {2, 3}, {1, 2}, padding, format});
      cases.push_back({1, {7}, 2, 3, {2}, {2}, padding, format});
      cases.push_back({1, {6}, 3, 2, {3}, {2}, padding, format});
    }
  return cases;
}

// Layers with enough work that the paths run their OpenMP loops (tested with batch 8).
inline std::vector<Case> threaded_cases() {
  return {{2, {12, 11}, 6, 8, {3, 2}, {1, 2}, "same", "channels_first"},
          {2, {10, 12}, 3, 8, {3, 3}, {1, 1}, "valid", "channels_last"},
          // Runs of kernel_cols·C = 64 values: path 1 reads x in place.
          {2, {6, 5}, 32, 8, {3, 2}, {2, 1}, "same", "channels_last"},
          // Filters a multiple of the SIMD width: path 1's register-blocked products. The input
          // gradient: runs of 16 values added into dx in place (batch 5), or into dx transposed
          // by products of their own (batch 8); patches of 27 and 15 taps (not a multiple of the
          // width) computed transposed; runs of 2 in a patch of 8 scattered.
          {2, {7, 6}, 8, 16, {3, 2}, {1, 2}, "same", "channels_last"},
          {2, {9, 8}, 3, 32, {3, 3}, {2, 1}, "valid", "channels_last"},
          {1, {20}, 5, 16, {3}, {1}, "same", "channels_first"},
          {2, {6, 5}, 2, 8, {4, 1}, {1, 1}, "valid", "channels_last"}};
}

inline std::shared_ptr<LocallyConnected> make_layer(const Case& c, LcImplementation impl,
                                                    KernelOptions kernel = {}) {
  LocallyConnectedOptions o{.strides = c.strides,
                            .padding = c.padding,
                            .data_format = c.data_format,
                            .implementation = impl};
  if (kernel.name.empty()) kernel.name = "lc";
  if (c.rank == 1) return std::make_shared<LocallyConnected1D>(c.filters, c.kernel, o, kernel);
  return std::make_shared<LocallyConnected2D>(c.filters, c.kernel, o, kernel);
}

// A built layer with random kernel and bias.
inline std::shared_ptr<LocallyConnected> built_layer(const Case& c, LcImplementation impl,
                                                     std::uint64_t seed = 7) {
  auto layer = make_layer(c, impl, {.bias_initializer = random_uniform_initializer(-0.5f, 0.5f)});
  Generator gen(seed);
  layer->build(c.input_shape(), gen);
  return layer;
}

// Keras' conv_connected_inputs on one axis: does input i feed output position p?
inline bool connected(std::size_t i, std::size_t p, std::size_t in, std::size_t k, std::size_t s,
                      bool same) {
  const long left = long(k / 2), right = long(k) - left;
  const long centre = long(p * s) + (same ? 0 : left);
  return long(i) >= std::max(0L, centre - left) && long(i) < std::min(long(in), centre + right);
}

// The sizes of every axis as (rows, cols) with rows = 1 for 1-D, and the output's.
struct Dims {
  std::size_t H, W, C, KH, KW, SH, SW, OH, OW, F;
};
inline Dims dims(const Case& c) {
  auto out = [&](std::size_t in, std::size_t k, std::size_t s) {
    return c.same() ? (in + s - 1) / s : (in - k) / s + 1;  // Keras' conv_output_length
  };
  Dims d;
  d.H = c.rank == 2 ? c.spatial[0] : 1;
  d.W = c.spatial.back();
  d.C = c.channels;
  d.KH = c.rank == 2 ? std::size_t(c.kernel[0]) : 1;
  d.KW = std::size_t(c.kernel.back());
  d.SH = c.rank == 2 ? std::size_t(c.strides[0]) : 1;
  d.SW = std::size_t(c.strides.back());
  d.OH = out(d.H, d.KH, d.SH);
  d.OW = out(d.W, d.KW, d.SW);
  d.F = std::size_t(c.filters);
  return d;
}
inline std::size_t in_index(const Case& c, const Dims& d, std::size_t r, std::size_t col,
                            std::size_t ch) {
  return c.channels_first() ? (ch * d.H + r) * d.W + col : (r * d.W + col) * d.C + ch;
}
inline std::size_t out_index(const Case& c, const Dims& d, std::size_t pr, std::size_t pc,
                             std::size_t f) {
  const std::size_t P = d.OH * d.OW, p = pr * d.OW + pc;
  return c.channels_first() ? f * P + p : p * d.F + f;
}

// Implementation 2's definition: y = x_flat · (kernel ⊙ mask) with the mask from the window rule.
inline Tensor reference_dense(const Case& c, const Tensor& x, const Tensor& kernel2) {
  const Dims d = dims(c);
  const std::size_t B = x.shape(0), n_in = d.H * d.W * d.C, n_out = d.OH * d.OW * d.F;
  Tensor y = zeros({B, n_out});
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t r = 0; r < d.H; ++r)
      for (std::size_t col = 0; col < d.W; ++col)
        for (std::size_t ch = 0; ch < d.C; ++ch)
          for (std::size_t pr = 0; pr < d.OH; ++pr)
            for (std::size_t pc = 0; pc < d.OW; ++pc) {
              if (!connected(r, pr, d.H, d.KH, d.SH, c.same()) ||
                  !connected(col, pc, d.W, d.KW, d.SW, c.same()))
                continue;
              const std::size_t i = in_index(c, d, r, col, ch);
              for (std::size_t f = 0; f < d.F; ++f) {
                const std::size_t o = out_index(c, d, pr, pc, f);
                y(b, o) += x.data()[b * n_in + i] * kernel2.data()[i * n_out + o];
              }
            }
  return y;
}

// Implementation 1's definition (Keras' local_conv): the patch starting at p·s (minus k // 2 for
// 'same', tessera's extension) flattened in the input's memory order times kernel[p].
inline Tensor reference_local(const Case& c, const Tensor& x, const Tensor& kernel1) {
  const Dims d = dims(c);
  const std::size_t B = x.shape(0), n_in = d.H * d.W * d.C, n_out = d.OH * d.OW * d.F;
  const std::size_t K = d.KH * d.KW * d.C;
  Tensor y = zeros({B, n_out});
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t pr = 0; pr < d.OH; ++pr)
      for (std::size_t pc = 0; pc < d.OW; ++pc)
        for (std::size_t t = 0; t < K; ++t) {
          std::size_t i, j, ch;
          if (c.channels_first()) {
            ch = t / (d.KH * d.KW), i = t / d.KW % d.KH, j = t % d.KW;
          } else {
            i = t / (d.KW * d.C), j = t / d.C % d.KW, ch = t % d.C;
          }
          const long r = long(pr * d.SH + i) - (c.same() ? long(d.KH / 2) : 0);
          const long col = long(pc * d.SW + j) - (c.same() ? long(d.KW / 2) : 0);
          if (r < 0 || col < 0 || r >= long(d.H) || col >= long(d.W)) continue;
          const float v = x.data()[b * n_in + in_index(c, d, std::size_t(r), std::size_t(col), ch)];
          for (std::size_t f = 0; f < d.F; ++f)
            y(b, out_index(c, d, pr, pc, f)) +=
                v * kernel1.data()[((pr * d.OW + pc) * K + t) * d.F + f];
        }
  return y;
}

}  // namespace lc_test
