#include "core/finite.hpp"

#include <algorithm>
#include <cmath>

namespace tessera {

void require_finite(const Tensor& t, const std::string& what, const std::string& hint) {
  const float* bad = std::find_if(t.data(), t.data() + t.size(), [](float v) { return !std::isfinite(v); });
  if (bad == t.data() + t.size()) return;
  // The row-major multi-index of the flat position, last axis fastest.
  std::size_t rest = std::size_t(bad - t.data());
  Shape index(t.dimension());
  for (std::size_t axis = t.dimension(); axis-- > 0; rest /= t.shape(axis)) index[axis] = rest % t.shape(axis);
  std::string where;
  for (std::size_t i = 0; i < index.size(); ++i) where += (i ? ", " : "") + std::to_string(index[i]);
  throw NonFiniteError(what + " contains " + (std::isnan(*bad) ? "NaN" : *bad > 0 ? "inf" : "-inf") +
                       " at index (" + where + "); " + hint);
}

}  // namespace tessera
