// Tensor storage (core/tensor_memory): small blocks aligned for SIMD, large blocks reused from
// step to step, a repeated training step mapping no new memory, updates made in place, and a
// cache that gives back what it holds beyond what is in use.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>

#include "core/random.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/sequential.hpp"
#include "optim/constraints.hpp"
#include "optim/sgd.hpp"

using namespace tessera;

namespace {

constexpr std::size_t kLargeFloats = tensor_memory::kLargeBlock / sizeof(float);

TEST(TensorMemory, SmallTensorsAreAlignedForSimdLoads) {
  for (std::size_t n : {1, 3, 17, 1000}) {
    const Tensor t = zeros({n});
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) % 64, 0u) << n;
  }
}

TEST(TensorMemory, AFreedLargeBlockServesTheNextTensorOfItsSize) {
  tensor_memory::release_cached();
  const Tensor keep = zeros({3 * kLargeFloats});  // in use, so the cache may hold as much
  const float* first = nullptr;
  {
    Tensor t = full({2 * kLargeFloats}, 1.0f);
    first = t.data();
  }
  EXPECT_GE(tensor_memory::stats().cached, 2 * tensor_memory::kLargeBlock);
  const std::size_t maps = tensor_memory::stats().maps;
  Tensor again = Tensor::from_shape({2 * kLargeFloats - 100});  // a little smaller: same block
  EXPECT_EQ(again.data(), first);
  EXPECT_EQ(tensor_memory::stats().maps, maps);
  again.fill(2.0f);  // the whole request is writable (an overrun would trip AddressSanitizer)
  EXPECT_EQ(again(again.size() - 1), 2.0f);
}

TEST(TensorMemory, TheCacheGivesBackWhatItHoldsBeyondWhatIsInUse) {
  tensor_memory::release_cached();
  const std::size_t live = tensor_memory::stats().live;
  // Ever larger tensors, one at a time: each misses the cache, which then returns the older ones.
  for (std::size_t i = 1; i <= 12; ++i) Tensor t = zeros({i * kLargeFloats});
  EXPECT_LE(tensor_memory::stats().cached, std::max(live, 12 * tensor_memory::kLargeBlock));
  tensor_memory::release_cached();
  EXPECT_EQ(tensor_memory::stats().cached, 0u);
}

// The process's mapped address space in bytes (/proc/self/statm counts pages).
std::size_t address_space_bytes() {
  std::size_t pages = 0;
  std::ifstream("/proc/self/statm") >> pages;
  return pages * std::size_t(sysconf(_SC_PAGESIZE));
}

#if !defined(__SANITIZE_ADDRESS__)  // ASan's own mappings do not survive an address-space limit
TEST(TensorMemory, ARefusedMappingGivesTheCacheBackAndTriesAgain) {
  const std::size_t MB = std::size_t(1) << 20;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the limit must not reach the test process itself
    tensor_memory::release_cached();
    Tensor kept = zeros({64 * MB / 4});
    { Tensor cached = zeros({64 * MB / 4}); }  // 64 MB cached, as much as is live: kept
    rlimit limit{address_space_bytes() + 96 * MB, RLIM_INFINITY};
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(2);
    try {
      Tensor larger = zeros({100 * MB / 4});  // fits only once the cached 64 MB are gone
      _exit(larger.size() == 100 * MB / 4 && tensor_memory::stats().cached == 0 ? 0 : 3);
    } catch (const std::bad_alloc&) {
      _exit(1);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: bad_alloc while the cache held 64 MB";
}
#endif

// Blocks mapped while `work` runs from an empty cache: every large block it asked for that it
// did not get back from itself.
template <class Work>
std::size_t maps_made_by(Work work) {
  tensor_memory::release_cached();
  const std::size_t before = tensor_memory::stats().maps;
  work();
  return tensor_memory::stats().maps - before;
}

// Updates, gradient sums and constraints change a tensor in place: a temporary as large (xtensor
// evaluates a plain `w -= e` into one) would map a block of its own here.
TEST(TensorMemory, UpdatesGradientSumsAndConstraintsMakeNoTemporaryCopy) {
  const Shape shape = {4, kLargeFloats};
  Tensor w = full(shape, 1.0f);
  const Tensor g = full(shape, 0.5f);
  SGD sgd(0.1f);
  EXPECT_EQ(maps_made_by([&] { sgd.apply_gradients({{&w, &g}}); }), 0u) << "SGD";
  SGD decaying(0.1f);
  decaying.weight_decay = 0.01f;
  EXPECT_EQ(maps_made_by([&] { decaying.apply_gradients({{&w, &g}}); }), 0u) << "weight decay";
  for (float ClipOptions::*kind :
       {&ClipOptions::clipnorm, &ClipOptions::global_clipnorm, &ClipOptions::clipvalue}) {
    SGD clipping(0.1f);
    clipping.clip.*kind = 0.1f;
    // One block: the clipped copy of g (the caller's gradient stays as it is).
    EXPECT_EQ(maps_made_by([&] { clipping.apply_gradients({{&w, &g}}); }), 1u)
        << "clipping " << (kind == &ClipOptions::clipnorm          ? "by norm"
                           : kind == &ClipOptions::global_clipnorm ? "by global norm"
                                                                   : "by value");
  }
  Tensor kernel = full({4 * kLargeFloats, 2}, 1.0f);  // norms over axis 0: two of them
  EXPECT_EQ(maps_made_by([&] { max_norm_constraint(0.5f)->apply(kernel); }), 0u) << "max_norm";
  Variable leaf(zeros(shape), true);
  leaf.node()->accumulate(g);  // the first gradient is copied in
  EXPECT_EQ(maps_made_by([&] { leaf.node()->accumulate(g); }), 0u) << "gradient sum";
}

// fit gathers each batch for its step and hands it over as the step's input: from an empty
// cache, a fit over one batch maps no more blocks than train_on_batch, whose copy of its
// argument is that batch.
TEST(TensorMemory, FitHandsItsBatchToTheStepWithoutACopy) {
  Generator gen(3);
  const std::size_t features = 4 * kLargeFloats / 32;
  const Tensor x = gen.uniform({32, features}, 0, 1);  // a batch of 4 large blocks
  Tensor y = zeros({32});
  for (std::size_t i = 0; i < 32; ++i) y(i) = float(i % 10);
  Sequential model("fit", 5);
  model.add(std::make_shared<Dense>(10));
  model.build({features});
  model.compile("sgd", "sparse_categorical_crossentropy");
  model.train_on_batch(x, y);  // the kernel's gradient storage, kept from step to step
  FitOptions options;
  options.batch_size = 32;
  options.shuffle = false;
  options.verbose = 0;
  const std::size_t by_train_on_batch = maps_made_by([&] { model.train_on_batch(x, y); });
  EXPECT_EQ(maps_made_by([&] { model.fit(x, y, options); }), by_train_on_batch);
}

// A product's weight gradient is written where the weight kept it from the step before
// (zero_grad keeps the storage): the same block every step, not a new one beside it.
TEST(TensorMemory, ProductsWriteWeightGradientsWhereTheWeightKeepsThem) {
  Generator gen(3);
  const std::size_t units = 2 * kLargeFloats / 64;  // a kernel of 2 large blocks
  const Tensor x = gen.uniform({32, 64}, 0, 1), y = zeros({32, units});
  auto dense = std::make_shared<Dense>(units);
  Sequential model("products", 5);
  model.add(dense);
  model.build({64});
  model.compile("sgd", "mse");
  model.train_on_batch(x, y);
  const float* first = dense->weights()[0].variable.grad().data();
  model.train_on_batch(x, y);
  EXPECT_EQ(dense->weights()[0].variable.grad().data(), first);
}

TEST(TensorMemory, RepeatedTrainingStepsMapNoNewMemory) {
  Generator gen(3);
  const Tensor x = gen.uniform({64, 28, 28, 1}, 0, 1);  // 0.2 MB; activations of 5.5 MB
  Tensor y = zeros({64});
  for (std::size_t i = 0; i < 64; ++i) y(i) = float(i % 10);
  Sequential model("steps", 5);
  model.add(std::make_shared<LocallyConnected2D>(32, LcSizes{3, 3}, LocallyConnectedOptions{},
                                                 KernelOptions{.activation = "relu"}));
  model.add(std::make_shared<Flatten>());
  model.add(std::make_shared<Dense>(10));
  model.build({28, 28, 1});
  model.compile("adam", "sparse_categorical_crossentropy");
  model.train_on_batch(x, y);
  const auto after_first = tensor_memory::stats();
  for (int step = 0; step < 5; ++step) model.train_on_batch(x, y);
  const auto after = tensor_memory::stats();
  EXPECT_EQ(after.maps, after_first.maps);
  EXPECT_EQ(after.live + after.cached, after_first.live + after_first.cached);
}

}  // namespace
