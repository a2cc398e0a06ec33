// Zero padding and cropping of any axes of a tensor: each is the other's adjoint, so each one's
// backward is the other one's forward.
#pragma once

#include <utility>
#include <vector>

#include "core/autodiff.hpp"

namespace tessera {

// (before, after) for every axis of the tensor, batch axis included.
using AxisPads = std::vector<std::pair<std::size_t, std::size_t>>;

// Adds pads[i].first zeros before and pads[i].second after the data of axis i.
Variable zero_pad(const Variable& x, const AxisPads& pads);
// Drops crops[i].first entries from the start and crops[i].second from the end of axis i;
// throws ShapeError when an axis would be left with nothing.
Variable crop(const Variable& x, const AxisPads& crops);

}  // namespace tessera
