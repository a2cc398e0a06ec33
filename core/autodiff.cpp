#include "core/autodiff.hpp"

#include <stdexcept>
#include <unordered_set>

#include <xtensor/xnoalias.hpp>

namespace tessera {

namespace {
thread_local bool grad_mode = true;
}

bool grad_enabled() { return grad_mode; }

NoGradGuard::NoGradGuard() : previous_(grad_mode) { grad_mode = false; }
NoGradGuard::~NoGradGuard() { grad_mode = previous_; }

Node::~Node() {
  // Releasing a chain by recursion would overflow the stack on long graphs: unlink instead.
  std::vector<NodePtr> pending = std::move(inputs);
  while (!pending.empty()) {
    NodePtr node = std::move(pending.back());
    pending.pop_back();
    if (node.use_count() == 1) {
      for (auto& in : node->inputs) pending.push_back(std::move(in));
      node->inputs.clear();
    }
  }
}

void Node::accumulate(const Tensor& g) {
  if (!requires_grad) return;
  expect_shape(g, shape_of(value), "gradient of " + op);
  if (has_grad) {
    xt::noalias(grad) += g;
  } else {
    grad = g;
    has_grad = true;
  }
}

void Node::accumulate(Tensor&& g) {
  if (!requires_grad) return;
  expect_shape(g, shape_of(value), "gradient of " + op);
  if (has_grad) {
    xt::noalias(grad) += g;
  } else {
    grad = std::move(g);
    has_grad = true;
  }
}

Variable::Variable(Tensor value, bool requires_grad) : node_(std::make_shared<Node>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

const Tensor& Variable::grad() const {
  if (!node_->has_grad)
    throw std::logic_error("no gradient for this " + node_->op +
                           " variable: it requires none or backward() did not reach it");
  return node_->grad;
}

void Variable::zero_grad() {
  // The storage stays for gradient_to_overwrite (core/gradient_buffer.hpp): the next step's
  // large weight gradients reuse it instead of faulting in fresh pages.
  node_->has_grad = false;
}

void Variable::backward() {
  if (node_->value.size() != 1)
    throw ShapeError("backward() needs a scalar, got shape " + shape_str(node_->value) +
                     "; pass a seed gradient instead");
  backward(full(shape_of(node_->value), 1.0f));
}

void Variable::backward(const Tensor& seed) { backward(Tensor(seed)); }

void Variable::backward(Tensor&& seed) {
  if (!node_->requires_grad)
    throw std::logic_error("backward() on a variable that requires no gradient (" + node_->op +
                           ")");
  // Topological order by an explicit-stack depth-first search (deep graphs must not overflow).
  std::vector<Node*> order;
  std::unordered_set<Node*> visited;
  std::vector<std::pair<Node*, std::size_t>> stack{{node_.get(), 0}};
  visited.insert(node_.get());
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      Node* child = node->inputs[next++].get();
      if (child->requires_grad && visited.insert(child).second) stack.push_back({child, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  node_->accumulate(std::move(seed));
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = *it;
    if (!node->backward || !node->has_grad) continue;
    node->backward(*node);
    // An intermediate gradient is spent once pushed to the inputs; keep only the leaves'.
    node->grad = Tensor();
    node->has_grad = false;
  }
}

Variable make_result(std::string name, Tensor value, const std::vector<Variable>& inputs,
                     BackwardFn backward) {
  auto node = std::make_shared<Node>();
  node->value = std::move(value);
  node->op = std::move(name);
  if (!grad_mode) return Variable(node);
  for (const auto& in : inputs) node->requires_grad |= in.requires_grad();
  if (!node->requires_grad) return Variable(node);
  node->inputs.reserve(inputs.size());
  for (const auto& in : inputs) node->inputs.push_back(in.node());
  node->backward = std::move(backward);
  return Variable(node);
}

}  // namespace tessera
