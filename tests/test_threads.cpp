#include <gtest/gtest.h>
#include <sched.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "core/threads.hpp"

namespace tessera {
namespace {

// The distinct CPU sets this process's threads may run on (Cpus_allowed_list of each task).
std::set<std::string> allowed_cpu_lists() {
  std::set<std::string> lists;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("Cpus_allowed_list:", 0) == 0) lists.insert(line);
  }
  return lists;
}

bool threads_left_to_openmp() {
  for (const char* name : {"OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"})
    if (std::getenv(name)) return false;
  return true;
}

TEST(Threads, SpreadPutsEachWorkerOnACpuOfItsOwnAndLeavesNoThreadPinned) {
  cpu_set_t cpus;
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  const std::vector<int> placed = spread_threads();
  if (placed.empty()) {
    // OpenMP's default is a thread per CPU: with two CPUs or more, there is a pool to spread.
    EXPECT_FALSE(threads_left_to_openmp() && CPU_COUNT(&cpus) >= 2);
    GTEST_SKIP() << "one CPU, or the environment sets the threads or their binding";
  }
  const std::set<int> distinct(placed.begin(), placed.end());
  EXPECT_EQ(distinct.size(), placed.size());
  for (int cpu : placed) EXPECT_TRUE(cpu >= 0 && CPU_ISSET(cpu, &cpus)) << cpu;
  EXPECT_EQ(allowed_cpu_lists().size(), 1u) << "a thread kept the one CPU it was moved to";
}

TEST(Threads, SpreadLeavesABindingOfTheUsersOwnAlone) {
  ASSERT_EQ(setenv("OMP_PLACES", "cores", 0), 0);
  EXPECT_TRUE(spread_threads().empty());
  unsetenv("OMP_PLACES");
}

}  // namespace
}  // namespace tessera
