// Keras' activations as differentiable ops, by the formulas of keras.activations (Keras 2).
// `get_activation` maps a Keras name ("relu", "softmax", ...) to the op, as layer configs do.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.hpp"

namespace tessera {

Variable linear(const Variable& x);
// Keras' general relu: x above `threshold` (capped at max_value), else alpha·(x − threshold).
Variable relu(const Variable& x, float alpha = 0.0f,
              float max_value = std::numeric_limits<float>::infinity(), float threshold = 0.0f);
// relu's loops, for ops that apply it to their own output while it is in cache (convolution):
// out = relu(in) (out may be in), and g *= relu'(in). For plain relu (the defaults) relu' of the
// output is relu' of the input, so the backward may read the output instead.
void relu_forward(const float* in, float* out, long n, float alpha = 0.0f,
                  float max_value = std::numeric_limits<float>::infinity(), float threshold = 0.0f);
void relu_backward(const float* in, float* g, long n, float alpha = 0.0f,
                   float max_value = std::numeric_limits<float>::infinity(),
                   float threshold = 0.0f);
Variable sigmoid(const Variable& x);
Variable tanh(const Variable& x);
Variable softmax(const Variable& x, int axis = -1);
Variable log_softmax(const Variable& x, int axis = -1);
Variable elu(const Variable& x, float alpha = 1.0f);
Variable selu(const Variable& x);
Variable softplus(const Variable& x);
Variable softsign(const Variable& x);
Variable hard_sigmoid(const Variable& x);  // clip(0.2x + 0.5, 0, 1), Keras 2's definition
Variable swish(const Variable& x);         // x · sigmoid(x), also called silu
Variable exponential(const Variable& x);
Variable gelu(const Variable& x, bool approximate = false);
Variable mish(const Variable& x);          // x · tanh(softplus(x))

// (Named ActivationFn so that `Activation` is the Keras layer, layers/activation.hpp.)
using ActivationFn = std::function<Variable(const Variable&)>;

// The activation Keras calls `name` (case-sensitive, as Keras). Throws std::invalid_argument
// naming the activation and listing the supported ones.
ActivationFn get_activation(const std::string& name);
std::vector<std::string> activation_names();

}  // namespace tessera
