#include <gtest/gtest.h>
#include <xtensor/xio.hpp>

#include "core/im2col.hpp"
#include "core/random.hpp"
#include "grad_test.hpp"

using namespace tessera;

namespace {

// Direct convolution (cross-correlation) by its definition, for comparison.
Tensor naive_conv(const Tensor& x, const Tensor& k, const Im2colSpec& s) {
  const std::size_t B = x.shape(0), H = x.shape(1), W = x.shape(2), C = x.shape(3), F = k.shape(3);
  Tensor y = zeros({B, s.out_h, s.out_w, F});
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t oh = 0; oh < s.out_h; ++oh)
      for (std::size_t ow = 0; ow < s.out_w; ++ow)
        for (std::size_t i = 0; i < s.kernel_h; ++i)
          for (std::size_t j = 0; j < s.kernel_w; ++j) {
            const long ih = long(oh * s.stride_h + i * s.dilation_h) - long(s.pad_top);
            const long iw = long(ow * s.stride_w + j * s.dilation_w) - long(s.pad_left);
            if (ih < 0 || iw < 0 || ih >= long(H) || iw >= long(W)) continue;
            for (std::size_t c = 0; c < C; ++c)
              for (std::size_t f = 0; f < F; ++f)
                y(b, oh, ow, f) += x(b, std::size_t(ih), std::size_t(iw), c) * k(i, j, c, f);
          }
  return y;
}

}  // namespace

TEST(Im2col, ConvAxisFollowsTensorFlow) {
  EXPECT_EQ(conv_axis(5, 3, 1, 1, "valid").out, 3u);
  EXPECT_EQ(conv_axis(5, 3, 2, 1, "valid").out, 2u);
  EXPECT_EQ(conv_axis(5, 3, 2, 1, "SAME").out, 3u);
  EXPECT_EQ(conv_axis(5, 3, 2, 1, "same").pad_before, 1u);
  EXPECT_EQ(conv_axis(6, 2, 1, 1, "same").pad_before, 0u);  // the extra pad goes right
  EXPECT_EQ(conv_axis(7, 3, 1, 2, "valid").out, 3u);        // dilation 2 spans 5
  EXPECT_THROW(conv_axis(2, 3, 1, 1, "valid"), ShapeError);
  EXPECT_THROW(conv_axis(5, 3, 1, 1, "full"), std::invalid_argument);
  EXPECT_THROW(conv_axis(5, 0, 1, 1, "valid"), std::invalid_argument);
}

TEST(Im2col, MatchesDirectConvolution) {
  Generator gen(3);
  for (const char* padding : {"valid", "same"}) {
    SCOPED_TRACE(padding);
    // Non-square input, non-square kernel, unequal strides, dilation.
    const Tensor x = gen.uniform({2, 7, 6, 3}, -1, 1);
    const Tensor k = gen.uniform({3, 2, 3, 4}, -1, 1);
    const Im2colSpec s = make_im2col_spec(7, 6, 3, 2, 2, 1, 1, 2, padding);
    Tensor kernel = k;
    kernel.reshape({3 * 2 * 3, 4});
    Tensor y = matmul(im2col(x, s), kernel);
    y.reshape({2, s.out_h, s.out_w, 4});
    EXPECT_TRUE(xt::allclose(y, naive_conv(x, k, s), 1e-5, 1e-5));
  }
}

TEST(Im2col, Col2imIsTheAdjoint) {
  // <im2col(x), c> = <x, col2im(c)> for all x and c.
  Generator gen(4);
  const Tensor x = gen.uniform({2, 5, 4, 2}, -1, 1);
  const Im2colSpec s = make_im2col_spec(5, 4, 3, 3, 2, 1, 1, 1, "same");
  const Tensor cols = im2col(x, s);
  const Tensor c = gen.uniform(shape_of(cols), -1, 1);
  const double lhs = xt::sum(xt::cast<double>(cols) * xt::cast<double>(c))();
  const double rhs = xt::sum(xt::cast<double>(x) * xt::cast<double>(col2im(c, shape_of(x), s)))();
  EXPECT_NEAR(lhs, rhs, 1e-4);
}

TEST(Im2col, Gradient) {
  const Im2colSpec s = make_im2col_spec(5, 4, 2, 3, 1, 2, 1, 1, "same");
  Generator gen(5);
  EXPECT_GRADIENTS_OK([s](const auto& v) { return im2col(v[0], s); },
                      std::vector<Tensor>{gen.uniform({2, 5, 4, 2}, -1, 1)});
}

TEST(Im2col, WrongRankIsAShapeError) {
  const Im2colSpec s = make_im2col_spec(5, 4, 2, 2, 1, 1, 1, 1, "valid");
  EXPECT_THROW(im2col(zeros({5, 4, 2}), s), ShapeError);
  EXPECT_THROW(col2im(zeros({3, 3}), {1, 5, 4, 2}, s), ShapeError);
}
