// A register-blocked single-threaded matrix product for the small products of the locally
// connected paths (one output position: a few dozen rows and columns). OpenBLAS pays roughly a
// microsecond of call and packing overhead per product, as much as the arithmetic of such a
// product; this kernel reads its operands in place, with any strides for A.
#pragma once

#include <cstddef>

namespace tessera {

// How a product reaches C: written, added to C, or written with streaming (non-temporal)
// stores. Streaming skips reading each line of C before overwriting it and leaves the caches
// to other data: for outputs too large to be read back from cache anyway. It needs C and ldc
// aligned to the SIMD width (else C is written as with overwrite). Streaming stores are weakly
// ordered: the thread that made them calls streaming_fence() before other threads may read C.
enum class Write { overwrite, accumulate, stream };

// Makes this thread's streaming stores visible to the other threads: once per thread at the
// end of a parallel loop, before its barrier. A fence after every product had waited for each
// position's output to reach memory (Zen 5, in-process A/B p10: LC2D 28x28x1 forward −24%,
// 32x32x3 −11%; fwd+bwd −7% and −6%).
void streaming_fence();

// dst[i] = src[i] for i < n, with streaming stores as Write::stream writes (dst aligned to the
// SIMD width, else plain stores; streaming_fence() before other threads read it): a block
// built in scratch and written out whole, too large to stay in cache.
void copy_streaming(const float* src, std::size_t n, float* dst);

// A's depth in `count` equal runs, each starting `stride` floats after the one before: a
// product then reads a patch of kh rows of kw·C inputs straight from a channels_last input
// (stride: one input row) instead of a gathered copy. One run is plain strided A.
struct DepthRuns {
  std::size_t count = 1, stride = 0;
};

// Memory the caller reads after this product (the next output position's kernel block or its
// output-gradient rows), asked for into L2 a cache line every few depth steps while the product
// runs, so that its DRAM latency hides behind the arithmetic; the product moves past the lines
// it asked for, and on into the region that follows (`then`) when this one is done, so that
// the caller's next product goes on from there. All at once instead, the requests fill the
// miss queue and stall the product (30x30x64 → 32: forward 7% slower; spread out, 29% faster).
struct Ahead {
  const char* next = nullptr;  // the next line to ask for
  std::size_t lines = 0;       // lines left to ask for
  // In rows of row_lines lines, `stride` bytes apart (0: one span).
  std::size_t row_lines = 0, stride = 0;
  const Ahead* then = nullptr;  // the region after this one, if any
  // A line every 4 depth steps: with a tile of 6 × 2 vectors a line every ~25 cycles, ~9 GB/s
  // per core, about what one core draws from this VM's DRAM (30x30x64 forward: every 2 steps
  // 2–5% slower, every 8 10% slower); or every 2, for short products. A tile taller than 6
  // rows asks for a line more for every 6 rows. A product keeps the pace of the region it
  // starts in.
  enum class Pace { every_4_steps, every_2_steps } pace = Pace::every_4_steps;
  std::size_t row_left = 0;  // lines left in this row (rows only)

  static Ahead span(const void* first, std::size_t bytes) {
    return {static_cast<const char*>(first), (bytes + 63) / 64};
  }
  static Ahead rows(const void* first, std::size_t count, std::size_t bytes, std::size_t stride) {
    const std::size_t lines = (bytes + 63) / 64;
    Ahead a{static_cast<const char*>(first), count * lines, lines, stride};
    a.row_left = lines;
    return a;
  }
  // The same region at another pace.
  Ahead paced(Pace p) const {
    Ahead a = *this;
    a.pace = p;
    return a;
  }
  // This region, then `after` (which must outlive the products that use this).
  Ahead followed_by(const Ahead* after) const {
    if (!lines) return *after;
    Ahead both = *this;
    both.then = after;
    return both;
  }
  // Past the line just asked for, or on to the region that follows; after a region's last line
  // `next` stays on it, inside the region. Always inlined and without a division: GCC 12's
  // AVX-512 build had called it through the PLT, spilling a tile's accumulators around each
  // call (Zen 5, p10, libraries alternated: fwd+bwd 32x32x3 −4 to −13%, forward 30x30x64 −6 to
  // −15%); its AVX2 build inlined it.
  [[gnu::always_inline]] void step() {
    if (--lines == 0) {
      if (then) *this = *then;
      return;
    }
    if (row_lines && --row_left == 0) {
      next += stride - (row_lines - 1) * 64;
      row_left = row_lines;
    } else {
      next += 64;
    }
  }
  // Asks for every line left, this region's and those that follow, at once: for a caller whose
  // products were too short to ask for them all on the way.
  void ask_rest() {
    for (; lines; step()) __builtin_prefetch(next, 0, 2);
  }
};

// C (m × n, row stride ldc) = or += A · B over depth k, where A[i][d] is a[i·a_row + d·a_col]
// (so A may be read transposed), or with depth runs of L = k / runs.count (k a multiple),
// a[i·a_row + (d mod L)·a_col + (d div L)·runs.stride]; B is row-major with row stride ldb. n
// must be a multiple of small_gemm_width(). Unless accumulating, C starts from row_bias (n
// values added to every row) when given, else from zero. `ahead`, when given, is fetched
// meanwhile.
void small_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_row,
                std::size_t a_col, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                Write write, const float* row_bias = nullptr, DepthRuns runs = {},
                Ahead* ahead = nullptr);

// The same product with A's rows at any offsets from a: A[i][d] is a[a_rows[i] + d·a_col], or
// with depth runs a[a_rows[i] + (d mod L)·a_col + (d div L)·runs.stride] (a patch's taps read
// as rows straight from the input, where a gathered copy would cost as much as the product).
void small_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a,
                const std::size_t* a_rows, std::size_t a_col, const float* b, std::size_t ldb,
                float* c, std::size_t ldc, Write write, DepthRuns runs = {},
                Ahead* ahead = nullptr);

// The column granularity of small_gemm: the SIMD width in floats.
std::size_t small_gemm_width();

// n rounded up to a multiple of small_gemm_width(): a product's columns padded to it.
std::size_t small_gemm_padded(std::size_t n);

}  // namespace tessera
