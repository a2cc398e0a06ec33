#include "core/padding.hpp"

#include <algorithm>

namespace tessera {

namespace {

void check_rank(const Shape& shape, const AxisPads& pads, const char* op) {
  if (pads.size() != shape.size())
    throw ShapeError(std::string(op) + ": expected (before, after) for each of the " +
                     std::to_string(shape.size()) + " axes of " + shape_str(shape) + ", got " +
                     std::to_string(pads.size()));
}

// Calls visit(big_offset, small_offset, run) for every run of the last axis of `small`, which sits
// in `big` at offset pads[i].first on every axis i.
template <class Visit>
void for_each_run(const Shape& big, const Shape& small, const AxisPads& pads, Visit visit) {
  const std::size_t rank = small.size();
  if (shape_size(small) == 0) return;
  if (rank == 0) return visit(0, 0, 1);
  std::vector<std::size_t> big_stride(rank, 1);
  for (std::size_t i = rank - 1; i > 0; --i) big_stride[i - 1] = big_stride[i] * big[i];
  const std::size_t run = small[rank - 1];
  std::vector<std::size_t> index(rank, 0);  // the position in `small`; its last entry stays 0
  for (std::size_t row = 0; row < shape_size(small) / run; ++row) {
    std::size_t offset = 0;
    for (std::size_t a = 0; a < rank; ++a) offset += (index[a] + pads[a].first) * big_stride[a];
    visit(offset, row * run, run);
    for (std::size_t a = rank - 1; a-- > 0;) {  // the next row, last outer axis fastest
      if (++index[a] < small[a]) break;
      index[a] = 0;
    }
  }
}

Shape grown(Shape shape, const AxisPads& pads, bool grow) {
  for (std::size_t a = 0; a < shape.size(); ++a)
    shape[a] = grow ? shape[a] + pads[a].first + pads[a].second
                    : shape[a] - pads[a].first - pads[a].second;
  return shape;
}

Tensor pad_value(const Tensor& x, const AxisPads& pads) {
  Tensor y = zeros(grown(shape_of(x), pads, true));
  for_each_run(shape_of(y), shape_of(x), pads,
               [&](std::size_t big, std::size_t small, std::size_t n) {
                 std::copy_n(x.data() + small, n, y.data() + big);
               });
  return y;
}

Tensor crop_value(const Tensor& x, const AxisPads& crops) {
  Tensor y = Tensor::from_shape(grown(shape_of(x), crops, false));
  for_each_run(shape_of(x), shape_of(y), crops,
               [&](std::size_t big, std::size_t small, std::size_t n) {
                 std::copy_n(x.data() + big, n, y.data() + small);
               });
  return y;
}

}  // namespace

Variable zero_pad(const Variable& x, const AxisPads& pads) {
  check_rank(x.shape(), pads, "zero_pad");
  return make_result("zero_pad", pad_value(x.value(), pads), {x}, [pads](Node& self) {
    self.inputs[0]->accumulate(crop_value(self.grad, pads));
  });
}

Variable crop(const Variable& x, const AxisPads& crops) {
  const Shape in = x.shape();
  check_rank(in, crops, "crop");
  for (std::size_t a = 0; a < in.size(); ++a)
    if (crops[a].first + crops[a].second >= in[a] && in[a] > 0)
      throw ShapeError("crop: cropping (" + std::to_string(crops[a].first) + ", " +
                       std::to_string(crops[a].second) + ") leaves nothing of axis " +
                       std::to_string(a) + " of " + shape_str(in));
  return make_result("crop", crop_value(x.value(), crops), {x}, [crops](Node& self) {
    self.inputs[0]->accumulate(pad_value(self.grad, crops));
  });
}

}  // namespace tessera
