// Reverse-mode automatic differentiation on a tape of nodes recorded during the forward pass.
//
// A Variable is a handle to a Node: a value, its gradient, the nodes it was computed from and a
// closure that pushes the node's gradient to those inputs. Ops record a node only when grad mode
// is on and one input requires a gradient, so inference under NoGradGuard records nothing.
// Closures receive their node as an argument and must not capture a pointer to it: the graph
// only points backwards, so it has no cycles and frees itself when the last handle goes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace tessera {

struct Node;
using NodePtr = std::shared_ptr<Node>;
using BackwardFn = std::function<void(Node& self)>;

struct Node {
  Tensor value;
  Tensor grad;             // meaningful only when has_grad
  bool has_grad = false;
  bool requires_grad = false;
  std::vector<NodePtr> inputs;
  BackwardFn backward;     // empty for leaves
  std::string op = "leaf";
  // Set by sigmoid and last-axis softmax to their input, so that a crossentropy loss can work
  // from logits as Keras does with its `_keras_logits` (kept in no-grad mode too).
  NodePtr logits;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node();  // frees long chains iteratively, not by recursion

  // Adds `g` (of this node's shape) to the gradient; a no-op when no gradient is wanted.
  void accumulate(const Tensor& g);
  void accumulate(Tensor&& g);
  const Tensor& input(std::size_t i) const { return inputs[i]->value; }
  bool input_requires_grad(std::size_t i) const { return inputs[i]->requires_grad; }
};

class Variable {
 public:
  Variable() = default;
  explicit Variable(Tensor value, bool requires_grad = false);
  explicit Variable(NodePtr node) : node_(std::move(node)) {}

  const Tensor& value() const { return node_->value; }
  Tensor& value() { return node_->value; }  // in-place updates by optimizers and loaders
  Shape shape() const { return shape_of(node_->value); }
  std::size_t size() const { return node_->value.size(); }

  bool requires_grad() const { return node_->requires_grad; }
  void set_requires_grad(bool on) { node_->requires_grad = on; }
  bool has_grad() const { return node_->has_grad; }
  const Tensor& grad() const;  // throws std::logic_error when backward() has not reached it
  void zero_grad();

  // Back-propagates from this scalar (size-1) variable; gradients add up in the leaves.
  void backward();
  // Back-propagates `seed` (of this variable's shape) as d(loss)/d(this); an rvalue seed
  // becomes this variable's gradient without a copy.
  void backward(const Tensor& seed);
  void backward(Tensor&& seed);

  bool is_leaf() const { return node_->inputs.empty(); }
  const std::string& op() const { return node_->op; }
  const NodePtr& node() const { return node_; }
  bool defined() const { return node_ != nullptr; }

  // The same value without history (shares nothing with the graph).
  Variable detach() const { return Variable(node_->value); }

 private:
  NodePtr node_;
};

// Grad mode is per thread and on by default.
bool grad_enabled();

// Turns recording off for its lifetime (inference, optimizer updates).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// For op authors: wraps `value` as the result of op `name`. The node keeps its inputs and
// `backward` only when grad mode is on and some input requires a gradient.
Variable make_result(std::string name, Tensor value, const std::vector<Variable>& inputs,
                     BackwardFn backward);

}  // namespace tessera
