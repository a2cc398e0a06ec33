#include "core/small_gemm.hpp"

#include <algorithm>
#include <cstdint>
#if defined(__SSE__)
#include <immintrin.h>
#endif

#include <xsimd/xsimd.hpp>

namespace tessera {

namespace {

// A tile's loops over its rows and over its columns unrolled (see tile); not under
// AddressSanitizer, where GCC 12 then took over 5 minutes to compile this file instrumented (1
// minute without). Undefined at the end of the file (unity builds share macros).
#if defined(__SANITIZE_ADDRESS__)
#define TESSERA_UNROLL_ROWS
#define TESSERA_UNROLL_COLUMNS
#else
#define TESSERA_UNROLL_ROWS _Pragma("GCC unroll 28")
#define TESSERA_UNROLL_COLUMNS _Pragma("GCC unroll 4")
#endif

using Vec = xsimd::batch<float>;
constexpr std::size_t W = Vec::size;

// A store of v to aligned p that bypasses the caches where the instruction set has one.
template <class V>
void store_streaming(float* p, const V& v) {
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64) return _mm512_stream_ps(p, v);
#endif
#if defined(__AVX__)
  if constexpr (sizeof(V) == 32) return _mm256_stream_ps(p, v);
#endif
#if defined(__SSE__)
  if constexpr (sizeof(V) == 16) return _mm_stream_ps(p, v);
#endif
  v.store_aligned(p);
}

// Makes v opaque to the compiler here, so that it is loaded once and stays in a register. GCC
// 12 otherwise folds the loads of B's row into the FMAs of tiles with few rows (up to 4 rows
// of 4 or 2 vectors, any of one), loading each vector again for every row, and a 512-bit load
// per FMA left the FMA units half idle (Zen 5, bench_core's BM_SmallGemm, one tile of 4 rows of
// 4 vectors over depth 32: 117 → 84 ns; 28x28x1's input-gradient product, 6 + 3 rows of 4
// vectors: 208 → 169 ns).
inline void keep_in_register(Vec& v) {
#if defined(__AVX512F__)
  asm("" : "+v"(v.data));
#elif defined(__SSE__)
  asm("" : "+x"(v.data));
#endif
}

// What the tiles of one column block share: A's layout and depth, that block's columns of B
// and of the bias, how C is written, what to fetch meanwhile.
struct Operands {
  std::size_t k, a_row, a_col;
  const std::size_t* a_rows;  // A's rows' offsets from a (small_gemm's second form)
  DepthRuns runs;
  const float* b;
  std::size_t ldb, ldc;
  Write write;
  const float* row_bias;
  Ahead* ahead;
};

// One tile of ROWS rows and COLS·W columns, kept in registers over the whole depth: rows of A
// from a, or, OFFSETS, at o.a_rows[first …] from it; of C from c. PACE: asks for o.ahead's
// lines on the way, one every PACE depth steps (0: none; separate instantiations: the test in
// every step made products without it 2–9% slower). OFFSETS too is one: the offsets looked up
// also for plain A made its products 3–7% slower.
template <std::size_t ROWS, std::size_t COLS, unsigned PACE, bool OFFSETS>
void tile(const Operands& o, const float* a, std::size_t first, float* c) {
  [[maybe_unused]] std::size_t row[ROWS];
  if constexpr (OFFSETS)
    for (std::size_t i = 0; i < ROWS; ++i) row[i] = o.a_rows[first + i];
  // The loops over rows and columns unrolled (GCC unrolls them by itself only later): the
  // accumulators are then indexed by constants from the start and stay in registers. Left as
  // loops, GCC initialised and stored them through a copy on the stack, ~100 cycles a tile
  // (Zen 5, a 6 × 4 tile over depth 1: 55 → 15 ns; over depth 64: 306 → 242 ns).
  Vec acc[ROWS][COLS];
  TESSERA_UNROLL_ROWS
  for (std::size_t i = 0; i < ROWS; ++i)
    TESSERA_UNROLL_COLUMNS
    for (std::size_t j = 0; j < COLS; ++j)
      acc[i][j] = o.write == Write::accumulate ? Vec::load_unaligned(c + i * o.ldc + j * W)
                  : o.row_bias                 ? Vec::load_unaligned(o.row_bias + j * W)
                                               : Vec(0.0f);
  // acc += A's rows over `depth` columns from a_d, B's rows from b (advanced past them)
  const float* b = o.b;
  Ahead ahead = PACE ? *o.ahead : Ahead{};
  unsigned steps = 0;
  // As many lines as tiles of 6 rows would ask for over the same rows: a taller tile takes
  // fewer steps for them, and lines it left would be asked for all at once at the end.
  constexpr std::size_t kLines = (ROWS + 5) / 6;
  // Inlined, or the accumulators it updates by reference live in memory.
  auto run = [&](const float* a_d, std::size_t depth) __attribute__((always_inline)) {
    for (std::size_t d = 0; d < depth; ++d, a_d += o.a_col, b += o.ldb) {
      if (PACE && ahead.lines && ++steps % PACE == 0)
        for (std::size_t l = 0; l < kLines && ahead.lines; ++l) {
          __builtin_prefetch(ahead.next, 0, 2);  // locality 2: into L2, not L1
          ahead.step();
        }
      Vec bv[COLS];
      TESSERA_UNROLL_COLUMNS
      for (std::size_t j = 0; j < COLS; ++j) {
        bv[j] = Vec::load_unaligned(b + j * W);
        keep_in_register(bv[j]);
      }
      TESSERA_UNROLL_ROWS
      for (std::size_t i = 0; i < ROWS; ++i) {
        const Vec s(OFFSETS ? a_d[row[i]] : a_d[i * o.a_row]);
        TESSERA_UNROLL_COLUMNS
        for (std::size_t j = 0; j < COLS; ++j) acc[i][j] = xsimd::fma(s, bv[j], acc[i][j]);
      }
    }
  };
  if (o.runs.count == 1) {  // the plain loop: as a run of runs it made products 2–10% slower
    run(a, o.k);
  } else {
    for (std::size_t r = 0; r < o.runs.count; ++r) run(a + r * o.runs.stride, o.k / o.runs.count);
  }
  if (PACE) *o.ahead = ahead;
  TESSERA_UNROLL_ROWS
  for (std::size_t i = 0; i < ROWS; ++i)
    TESSERA_UNROLL_COLUMNS
    for (std::size_t j = 0; j < COLS; ++j) {
      if (o.write == Write::stream)
        store_streaming(c + i * o.ldc + j * W, acc[i][j]);
      else
        acc[i][j].store_unaligned(c + i * o.ldc + j * W);
    }
}

// A tile of `rows` rows (1 … R).
template <std::size_t R, std::size_t COLS, unsigned PACE, bool OFFSETS>
void sized_tile(const Operands& o, std::size_t rows, const float* a, std::size_t first,
                float* c) {
  if constexpr (R > 0) {
    if (rows == R) return tile<R, COLS, PACE, OFFSETS>(o, a, first, c);
    sized_tile<R - 1, COLS, PACE, OFFSETS>(o, rows, a, first, c);
  }
}

#if defined(__AVX512F__)
constexpr std::size_t kRegisters = 32;
#else
constexpr std::size_t kRegisters = 16;
#endif

// The most rows of a tile COLS vectors wide: its accumulators, a row of B and A's broadcast
// value fill the vector registers (AVX-512: 6 rows of 4 vectors, 14 of 2, 28 of 1).
template <std::size_t COLS>
constexpr std::size_t kTileRows = std::min<std::size_t>((kRegisters - COLS - 1) / COLS, 28);

// All m rows for COLS·W columns: tiles of kTileRows rows, and the rows past the last of them
// but one, R + 1 … 2R − 1 of them, as two tiles of about equal size (64 rows of two vectors:
// 14, 14, 14, 11, 11), not a full one and a short one that cannot keep the FMA units busy;
// tiles of four vectors (6 rows) keep a full one: alone, hot in L1, 5 + 4 rows are now 5% faster
// than 6 + 3 (175 against 184 ns over depth 32), but in the layers the split was no faster and
// Conv2D 28x28x1's fwd+bwd 5–8% slower (cross-library pairs, Zen 5). A
// tall tile reads each row of B once for all its rows and pays its start and end once: against
// tiles of 6 rows (8 of one vector) and a last tile of the rest, Zen 5, hot in L1: 28x28x1's
// kernel gradient (9 rows of 2 vectors, depth 64) 362 → 217 ns, its forward (64 rows of 2,
// depth 9) 292 → 262 ns, 32x32x3's input gradient (27 rows of 2) 645 → 546 ns, 30x30x64's
// forward (32 rows of 2, depth 576) 6.4 → 5.8 µs, 16 filters' forward (128 rows of 1) 409 →
// 348 ns.
template <std::size_t COLS, unsigned PACE, bool OFFSETS>
void column_block(const Operands& o, std::size_t m, const float* a, float* c) {
  constexpr std::size_t R = kTileRows<COLS>;
  // A's rows from row i: offsets from a, or from a row i's start.
  auto rows_a = [&](std::size_t i) { return OFFSETS ? a : a + i * o.a_row; };
  std::size_t i = 0;
  for (; i + 2 * R <= m; i += R) tile<R, COLS, PACE, OFFSETS>(o, rows_a(i), i, c + i * o.ldc);
  const std::size_t rest = m - i;
  const std::size_t first = rest <= R || COLS == 4 ? std::min(rest, R) : (rest + 1) / 2;
  sized_tile<R, COLS, PACE, OFFSETS>(o, first, rows_a(i), i, c + i * o.ldc);
  i += first;
  sized_tile<R, COLS, PACE, OFFSETS>(o, m - i, rows_a(i), i, c + i * o.ldc);
}

// With 32 vector registers (AVX-512), blocks of four vectors' width first: A's values are then
// read once for 64 columns instead of twice (Zen 5, in-process A/B, p10, fwd+bwd: 32x32x3 −5%,
// LC1D 100x32 −8%, 28x28x1 and 30x30x64 −2%; tiles of 4 × 4, 8 × 2 or 12 × 2 no faster).
#if defined(__AVX512F__)
constexpr std::size_t kWidestBlock = 4;
#else
constexpr std::size_t kWidestBlock = 2;
#endif

// All of C's columns: blocks of kWidestBlock vectors' width, then of two, then of one.
template <unsigned PACE, bool OFFSETS, class Columns>
void column_blocks(std::size_t m, std::size_t n, const float* a, float* c, Columns columns) {
  std::size_t j = 0;
  if constexpr (kWidestBlock == 4)
    for (; j + 4 * W <= n; j += 4 * W) column_block<4, PACE, OFFSETS>(columns(j), m, a, c + j);
  for (; j + 2 * W <= n; j += 2 * W) column_block<2, PACE, OFFSETS>(columns(j), m, a, c + j);
  if (j + W <= n) column_block<1, PACE, OFFSETS>(columns(j), m, a, c + j);
}

// Both forms of small_gemm; the second (OFFSETS) asks for `ahead` at one pace, every 2 steps
// (its one caller's), which spares a third of its instantiations.
template <bool OFFSETS>
void blocked_product(std::size_t m, std::size_t n, std::size_t k, const float* a,
                     std::size_t a_row, const std::size_t* a_rows, std::size_t a_col,
                     const float* b, std::size_t ldb, float* c, std::size_t ldc, Write write,
                     const float* row_bias, DepthRuns runs, Ahead* ahead) {
  const bool aligned = reinterpret_cast<std::uintptr_t>(c) % sizeof(Vec) == 0 && ldc % W == 0;
  if (write == Write::stream && !aligned) write = Write::overwrite;
  auto columns = [&](std::size_t j) {  // the operands of the column block from column j
    return Operands{k,   a_row, a_col, a_rows, runs, b + j, ldb, ldc, write,
                    row_bias ? row_bias + j : nullptr, ahead};
  };
  if (!ahead || !ahead->lines)
    column_blocks<0, OFFSETS>(m, n, a, c, columns);
  else if (OFFSETS || ahead->pace == Ahead::Pace::every_2_steps)
    column_blocks<2, OFFSETS>(m, n, a, c, columns);
  else if constexpr (!OFFSETS)
    column_blocks<4, OFFSETS>(m, n, a, c, columns);
}

}  // namespace

void streaming_fence() {
#if defined(__SSE__)
  _mm_sfence();
#endif
}

void copy_streaming(const float* src, std::size_t n, float* dst) {
  std::size_t i = 0;
  if (reinterpret_cast<std::uintptr_t>(dst) % sizeof(Vec) == 0)
    for (; i + W <= n; i += W) store_streaming(dst + i, Vec::load_unaligned(src + i));
  std::copy(src + i, src + n, dst + i);
}

std::size_t small_gemm_width() { return W; }

std::size_t small_gemm_padded(std::size_t n) { return (n + W - 1) / W * W; }

void small_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_row,
                std::size_t a_col, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                Write write, const float* row_bias, DepthRuns runs, Ahead* ahead) {
  blocked_product<false>(m, n, k, a, a_row, nullptr, a_col, b, ldb, c, ldc, write, row_bias,
                         runs, ahead);
}

void small_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a,
                const std::size_t* a_rows, std::size_t a_col, const float* b, std::size_t ldb,
                float* c, std::size_t ldc, Write write, DepthRuns runs, Ahead* ahead) {
  blocked_product<true>(m, n, k, a, 0, a_rows, a_col, b, ldb, c, ldc, write, nullptr, runs,
                        ahead);
}

}  // namespace tessera

#undef TESSERA_UNROLL_ROWS
#undef TESSERA_UNROLL_COLUMNS
