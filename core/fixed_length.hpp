// Loops over a few values (a patch's runs of 3 or 9 floats) cost more in loop overhead than in
// copying; with the length a compile-time constant they unroll into straight loads and stores.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

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

}  // namespace tessera
