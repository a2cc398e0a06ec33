// The library's threads: OpenMP's pool (core/blas.hpp says why there is no other), spread over
// the CPUs once, when the first layer runs.
#pragma once

#include <vector>

namespace tessera {

// Moves each OpenMP worker thread to a CPU of its own, other than the calling thread's, then
// gives it back the CPU set it had: a nudge, not a pin. A new worker starts on its creator's
// CPU, and two threads spinning at a barrier on one CPU each wait out the other's time slice:
// on this project's 2-core VM, a process's first parallel regions took ~8 ms each instead of
// ~0.2 ms for up to a tenth of a second, until the scheduler moved one of them (`tessera bench`
// of a small layer: the median of 20 runs was 4-8 ms in 9 processes of 20). Callable again
// after omp_set_num_threads adds workers. Does nothing, and returns an empty list, with one
// thread, more threads than CPUs, inside a parallel region, or a binding of the user's own
// (OMP_PROC_BIND, OMP_PLACES, GOMP_CPU_AFFINITY set). Else returns the CPU each thread was on
// (index: OpenMP thread number) right after the move.
std::vector<int> spread_threads();

// spread_threads() on the first call, nothing after: Layer::operator() calls it, so a process
// that runs no layer (`tessera --version`) never starts the pool, and one that does pays the
// move once: ~1 ms, ~8 ms when every CPU is busy and the worker waits for its new one (ctest -j2,
// 436 short processes on 2 CPUs: 19-21 s before, 21-23 s with it).
void spread_threads_once();

}  // namespace tessera
