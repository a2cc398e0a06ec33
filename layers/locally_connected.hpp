// The engine behind LocallyConnected1D and LocallyConnected2D: geometry (Keras' output sizes and
// windows), Keras' three stored kernel layouts and converters between them, and the three
// compute paths, each a differentiable op with a hand-written backward.
//
// One engine serves both layers: a 1-D layer is a 2-D layer whose row axis has size 1 (input,
// kernel, stride and output rows all 1). Inserting that axis changes no memory order, so every
// Keras layout and Keras' sorted impl-3 order of the 1-D layer are those of the 2-D engine.
//
// Vocabulary: P output positions (row-major), K = kernel_rows·kernel_cols·C patch entries,
// F filters, n_in / n_out values per sample, "in memory order for the data_format" everywhere.
// A tap is a patch entry whose input lies inside the input (with 'same' some lie outside: they
// read zeros, their impl-1 weights are unused and their gradients are 0).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/autodiff.hpp"

namespace tessera {

struct LcGeometry {
  std::size_t rank = 2;  // spatial axes the layer declares: 1 (then in_rows = 1) or 2
  std::size_t in_rows = 1, in_cols = 1, channels = 1, filters = 1;
  std::size_t kernel_rows = 1, kernel_cols = 1, stride_rows = 1, stride_cols = 1;
  bool same = false;            // padding 'same' (else 'valid')
  bool channels_first = false;  // data_format
  std::size_t out_rows = 0, out_cols = 0;

  std::size_t positions() const { return out_rows * out_cols; }
  std::size_t patch() const { return kernel_rows * kernel_cols * channels; }
  std::size_t inputs() const { return in_rows * in_cols * channels; }
  std::size_t outputs() const { return positions() * filters; }
  Shape input_shape() const;   // per sample, in the declared rank and data_format
  Shape output_shape() const;  // per sample
  // Flat per-sample index of output position p, filter f (memory order of the data_format).
  std::size_t output_index(std::size_t p, std::size_t f) const {
    return channels_first ? f * positions() + p : p * filters + f;
  }
};

// Keras' output size of one axis: 'valid' ceil((in − k + 1) / s), 'same' ceil(in / s).
// Requires k ≤ in.
std::size_t lc_output_size(std::size_t in, std::size_t kernel, std::size_t stride, bool same);

// Fills out_rows/out_cols. `kernel`, `strides` have `rank` entries; `input_shape` is per sample
// in the data_format's order. Throws ShapeError when the rank is wrong or the kernel is larger
// than the input (the layers check first and report with their name).
LcGeometry make_lc_geometry(std::size_t rank, const Shape& input_shape, std::size_t filters,
                            const std::vector<std::size_t>& kernel,
                            const std::vector<std::size_t>& strides, bool same,
                            bool channels_first);

// A tap: its patch index (impl-1 middle axis) and its per-sample input index.
struct LcTap {
  std::uint32_t patch = 0, input = 0;
};
// Consecutive taps consecutive in both the patch and the input: a memcpy.
struct LcRun {
  std::uint32_t patch = 0, input = 0, length = 0;
};

// Keras' `implementation` argument: 1, 2, 3, or tessera's "auto" (number 0). It only stores what
// was given; the layer validates it (so the error names the layer).
class LcImplementation {
 public:
  LcImplementation(int number) : number_(number), text_(std::to_string(number)) {}
  LcImplementation(const char* name) : LcImplementation(std::string(name)) {}
  LcImplementation(const std::string& name);
  int number() const { return number_; }  // 0 auto, 1–3 Keras', −1 unknown
  bool is_auto() const { return number_ == 0; }
  bool valid() const { return number_ >= 0 && number_ <= 3; }
  const std::string& text() const { return text_; }  // as given, for errors

 private:
  int number_;
  std::string text_;
};

class LcEngine {
 public:
  explicit LcEngine(const LcGeometry& geometry);
  const LcGeometry& geometry() const { return g_; }

  // The taps of position p, patch and input indices both ascending; and the same as runs.
  std::span<const LcTap> taps(std::size_t p) const;
  std::span<const LcRun> runs(std::size_t p) const;
  // Connections (output value, input value): the length of the impl-3 kernel.
  std::size_t connections() const { return row_start_.back(); }
  // Where output value `o`'s connections start in the impl-3 kernel (Keras' sorted order).
  std::size_t row_start(std::size_t o) const { return row_start_[o]; }

  // Keras' stored shapes: kernel of implementation 1, 2 or 3 (in the declared rank), and bias.
  Shape kernel_shape(int implementation) const;
  Shape bias_shape() const;

  // The kernel in another implementation's layout. Connections keep their values; entries that
  // are no connection (outside impl 2's mask, impl 1's padding taps) become 0. from == to masks.
  Tensor convert_kernel(const Tensor& kernel, int from, int to) const;

 private:
  LcGeometry g_;
  std::vector<LcTap> taps_;
  std::vector<std::size_t> tap_start_;  // P + 1
  std::vector<LcRun> runs_;
  std::vector<std::size_t> run_start_;  // P + 1
  std::vector<std::size_t> row_start_;  // n_out + 1
};
using LcEnginePtr = std::shared_ptr<const LcEngine>;

// Differentiable convert_kernel (its adjoint is the conversion back).
Variable lc_convert_kernel(const Variable& kernel, int from, int to, const LcEnginePtr& engine);

// The compute paths. x is (batch, input_shape...); the kernel is in the path's own layout; bias
// (null for none) holds one value per output in the output's memory order; the result is
// (batch, output_shape...), with Keras' plain relu applied when `relu` (in place, by the op
// itself, whose backward then reads its output: no tensor of relu's own), else before the
// activation.
// 1: per output position, bias + a (B, K)·(K, F) product of the patch (OpenMP over positions).
Variable lc_local_products(const Variable& x, const Variable& kernel, const Variable* bias,
                           const LcEnginePtr& engine, bool relu = false);
// 2: x_flat (B, n_in) · (kernel ⊙ mask) (n_in, n_out), computed block by block where the
// mask's blocks are contiguous (channels_last), else as one masked product.
Variable lc_masked_dense(const Variable& x, const Variable& kernel, const Variable* bias,
                         const LcEnginePtr& engine, bool relu = false);
// 3: sparse (n_out × n_in) in Keras' sorted order times x_flat, computed position by position:
// the rows of one position's outputs share its taps, an (F, T_p) block of the value array.
Variable lc_sparse_product(const Variable& x, const Variable& kernel, const Variable* bias,
                           const LcEnginePtr& engine, bool relu = false);
// Dispatches on path 1, 2 or 3.
Variable lc_compute(int path, const Variable& x, const Variable& kernel, const Variable* bias,
                    const LcEnginePtr& engine, bool relu = false);

// 'auto': the compute path for a batch, from a cost model of the shape, and why.
struct LcPathChoice {
  int path = 1;
  std::string reason;
};
LcPathChoice choose_lc_path(const LcEngine& engine, std::size_t batch);

}  // namespace tessera
