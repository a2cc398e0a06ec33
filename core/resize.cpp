#include "core/resize.hpp"

#include <algorithm>
#include <cmath>

namespace tessera {

namespace {

// The two input rows (or cols) an output one reads and the weight of the second, as TensorFlow's
// compute_interpolation_weights with its HalfPixelScaler, in float as TensorFlow computes it.
struct Lerp {
  std::size_t lower = 0, upper = 0;
  float weight = 0.0f;
};

std::vector<Lerp> lerps(std::size_t in, std::size_t factor) {
  const float scale = float(in) / float(in * factor);
  std::vector<Lerp> out(in * factor);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float at = (float(i) + 0.5f) * scale - 0.5f;
    const float below = std::floor(at);
    out[i].lower = std::size_t(std::max(long(below), 0L));
    out[i].upper = std::size_t(std::min(long(std::ceil(at)), long(in) - 1));
    out[i].weight = at - below;
  }
  return out;
}

}  // namespace

Variable repeat_elements(const Variable& x, std::size_t axis, std::size_t factor) {
  const Shape in = x.shape();
  if (axis >= in.size())
    throw ShapeError("repeat_elements: axis " + std::to_string(axis) + " is out of range for " +
                     shape_str(in));
  if (factor == 0) throw ShapeError("repeat_elements: the factor must be positive");
  std::size_t outer = 1, inner = 1;
  for (std::size_t a = 0; a < axis; ++a) outer *= in[a];
  for (std::size_t a = axis + 1; a < in.size(); ++a) inner *= in[a];
  const std::size_t n = in[axis];
  Shape out = in;
  out[axis] *= factor;
  Tensor y = Tensor::from_shape(out);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t r = 0; r < factor; ++r)
        std::copy_n(x.value().data() + (o * n + i) * inner, inner,
                    y.data() + ((o * n + i) * factor + r) * inner);
  return make_result("repeat_elements", std::move(y), {x}, [outer, n, inner, factor](Node& self) {
    Tensor g = zeros(shape_of(self.input(0)));
    const float* gy = self.grad.data();
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t r = 0; r < factor; ++r)
          for (std::size_t k = 0; k < inner; ++k)
            g.data()[(o * n + i) * inner + k] += gy[((o * n + i) * factor + r) * inner + k];
    self.inputs[0]->accumulate(std::move(g));
  });
}

Variable resize_bilinear(const Variable& x, std::size_t factor_h, std::size_t factor_w) {
  const Shape in = x.shape();
  if (in.size() != 4)
    throw ShapeError("resize_bilinear expects (batch, rows, cols, channels), got " + shape_str(in));
  if (factor_h == 0 || factor_w == 0) throw ShapeError("resize_bilinear: factors must be positive");
  const std::size_t B = in[0], H = in[1], W = in[2], C = in[3];
  const auto rows = lerps(H, factor_h), cols = lerps(W, factor_w);
  // Visits every output (b, i, j) with the offsets of its four neighbours' first channels.
  auto for_each_output = [=](auto visit) {
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < cols.size(); ++j) {
          const Lerp& r = rows[i];
          const Lerp& c = cols[j];
          auto at = [&](std::size_t h, std::size_t w) { return ((b * H + h) * W + w) * C; };
          visit(((b * rows.size() + i) * cols.size() + j) * C, at(r.lower, c.lower),
                at(r.lower, c.upper), at(r.upper, c.lower), at(r.upper, c.upper), r.weight,
                c.weight);
        }
  };
  Tensor y = Tensor::from_shape({B, rows.size(), cols.size(), C});
  const float* xv = x.value().data();
  for_each_output([&](std::size_t out, std::size_t tl, std::size_t tr, std::size_t bl,
                      std::size_t br, float wy, float wx) {
    for (std::size_t k = 0; k < C; ++k) {
      // TensorFlow's compute_lerp, in its order of operations.
      const float top = xv[tl + k] + (xv[tr + k] - xv[tl + k]) * wx;
      const float bottom = xv[bl + k] + (xv[br + k] - xv[bl + k]) * wx;
      y.data()[out + k] = top + (bottom - top) * wy;
    }
  });
  return make_result("resize_bilinear", std::move(y), {x}, [for_each_output](Node& self) {
    Tensor g = zeros(shape_of(self.input(0)));
    const float* gy = self.grad.data();
    float* gx = g.data();
    const std::size_t C = g.shape(3);
    for_each_output([&](std::size_t out, std::size_t tl, std::size_t tr, std::size_t bl,
                        std::size_t br, float wy, float wx) {
      for (std::size_t k = 0; k < C; ++k) {
        const float d = gy[out + k];
        gx[tl + k] += d * (1 - wy) * (1 - wx);
        gx[tr + k] += d * (1 - wy) * wx;
        gx[bl + k] += d * wy * (1 - wx);
        gx[br + k] += d * wy * wx;
      }
    });
    self.inputs[0]->accumulate(std::move(g));
  });
}

}  // namespace tessera
