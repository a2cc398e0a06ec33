// Loops over a few values (a patch's runs of 3 or 9 floats) cost more in loop overhead than in
// copying; with the length a compile-time constant they unroll into straight loads and stores.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace tessera {

// The longest length with_fixed_length hands over as a constant.
constexpr std::size_t kMaxFixedLength = 16;

namespace detail {
template <class Body, std::size_t... L>
bool with_fixed_length(std::size_t n, Body& body, std::index_sequence<L...>) {
  return ((n == L + 1 && (body(std::integral_constant<std::size_t, L + 1>{}), true)) || ...);
}
}  // namespace detail

// body(std::integral_constant<std::size_t, n>{}) when 1 ≤ n ≤ kMaxFixedLength; whether it ran.
template <class Body>
bool with_fixed_length(std::size_t n, Body&& body) {
  return detail::with_fixed_length(n, body, std::make_index_sequence<kMaxFixedLength>{});
}

// dst[i] = src[i], or dst[i] += src[i] when ADD, for i < n: n a std::integral_constant from
// with_fixed_length, or a std::size_t. A constant n over 8 moves as one masked load and store
// where AVX-512 has them (runs of 9 floats, a 3x3 kernel over 3 channels: LC2D 32x32x3 fwd+bwd
// −3%, in-process A/B p10 and median; Conv2D −8%, libraries alternated); runs of 3 were 10%
// slower so in Conv2D 28x28x1, and stay plain moves.
template <bool ADD = false, class N>
inline void move_floats(const float* src, float* dst, N n) {
#if defined(__AVX512F__)
  if constexpr (!std::is_same_v<N, std::size_t>) {
    if constexpr (N::value > 8) {
      static_assert(N::value <= 16, "a mask of 16 lanes");
      const auto mask = __mmask16((1u << N::value) - 1);
      __m512 v = _mm512_maskz_loadu_ps(mask, src);
      if constexpr (ADD) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, dst));
      _mm512_mask_storeu_ps(dst, mask, v);
      return;
    }
  }
#endif
  for (std::size_t i = 0; i < std::size_t(n); ++i) dst[i] = ADD ? dst[i] + src[i] : src[i];
}

}  // namespace tessera
