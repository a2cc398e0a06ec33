#include "core/threads.hpp"

#include <omp.h>
#if defined(__linux__)
#include <sched.h>
#endif

#include <cstdlib>

namespace tessera {

std::vector<int> spread_threads() {
#if defined(__linux__)
  for (const char* binding : {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"})
    if (std::getenv(binding)) return {};
  const int threads = omp_get_max_threads(), here = sched_getcpu();
  cpu_set_t allowed;
  if (threads < 2 || omp_in_parallel() || here < 0 ||
      sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < threads)
    return {};
  std::vector<int> cpus{here};  // the calling thread's CPU, then the other allowed ones
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed) && cpu != here) cpus.push_back(cpu);
  std::vector<int> placed(std::size_t(threads), -1);
  placed[0] = here;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    if (t > 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpus[std::size_t(t)], &one);
      // sched_setaffinity moves the calling thread before it returns
      if (sched_setaffinity(0, sizeof one, &one) == 0) placed[std::size_t(t)] = sched_getcpu();
      sched_setaffinity(0, sizeof allowed, &allowed);
    }
  }
  return placed;
#else
  return {};
#endif
}

void spread_threads_once() {
  static const bool spread = (spread_threads(), true);
  (void)spread;
}

}  // namespace tessera
