#include "core/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/ops.hpp"
#include "core/random.hpp"

namespace tessera {

namespace {

double weighted_sum(const Tensor& y, const Tensor& weights) {
  double total = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i)
    total += double(y.data()[i]) * double(weights.data()[i]);
  return total;
}

}  // namespace

GradCheckResult check_gradients(const GradCheckFn& f, const std::vector<Tensor>& inputs,
                                const GradCheckOptions& options) {
  std::vector<std::size_t> checked = options.check_inputs;
  if (checked.empty())
    for (std::size_t i = 0; i < inputs.size(); ++i) checked.push_back(i);
  auto is_checked = [&](std::size_t i) {
    return std::find(checked.begin(), checked.end(), i) != checked.end();
  };

  // Analytic gradients of L = Σ f(x) ⊙ R.
  std::vector<Variable> vars;
  for (std::size_t i = 0; i < inputs.size(); ++i) vars.emplace_back(inputs[i], is_checked(i));
  Variable y = f(vars);
  Generator gen(options.seed);
  const Tensor weights = gen.normal(y.shape(), 0.0f, 1.0f);
  Variable loss = sum(mul(y, Variable(weights)));
  loss.backward();

  GradCheckResult result;
  std::ostringstream report;
  int reported = 0;
  std::vector<Variable> probe;
  for (const auto& t : inputs) probe.emplace_back(t);
  NoGradGuard no_grad;
  for (std::size_t i : checked) {
    const Tensor analytic = vars[i].has_grad() ? vars[i].grad() : zeros(shape_of(inputs[i]));
    Tensor& x = probe[i].value();
    for (std::size_t j = 0; j < x.size(); ++j) {
      const float saved = x.data()[j];
      x.data()[j] = float(saved + options.epsilon);
      const double plus = weighted_sum(f(probe).value(), weights);
      x.data()[j] = float(saved - options.epsilon);
      const double minus = weighted_sum(f(probe).value(), weights);
      x.data()[j] = saved;
      const double numeric = (plus - minus) / (2.0 * options.epsilon);
      const double a = analytic.data()[j];
      const double excess =
          std::fabs(a - numeric) - (options.atol + options.rtol * std::max(std::fabs(a), std::fabs(numeric)));
      result.worst_error = std::max(result.worst_error, excess);
      ++result.checked;
      if (excess > 0.0 || !std::isfinite(a)) {
        result.ok = false;
        if (reported++ < 8)
          report << "input " << i << " element " << j << ": analytic " << a << ", numeric "
                 << numeric << '\n';
      }
    }
  }
  result.report = report.str();
  return result;
}

}  // namespace tessera
