// proofwork int8 GEMM on Hopper (sm_90a only): C = A·B with A m×k (row-major) and bt = Bᵀ n×k
// (row-major), the same contract as `gemm_i8_mma_nt_v2` in gemm_i8_mma.cu, on
// `wgmma.mma_async.sync.aligned.m64n256k32.s32.s8.s8` with both operands read from shared
// memory through matrix descriptors. Compiled by NVRTC for `compute_90a` (wgmma does not exist
// in plain compute_90); the host loads it only on compute capability 9.0.
//
// Requirements (checked by the host): k % 16 == 0 (16-byte cp.async chunks never straddle the
// end of a row), 16-byte aligned base pointers (cudaMalloc gives 256), 197,632 bytes of
// dynamic shared memory allowed on the function. Any m, n (partial tiles are zero-filled on
// load and bounds-checked on store). Every element of C is an exact int32 sum (k < 2^17), so
// the result is bit-identical to the CPU reference.
//
// Tiling: a block of 256 threads = 2 warpgroups computes a 128×256 tile of C; warpgroup w owns
// rows 64w..64w+63 and all 256 columns: one m64n256k32 wgmma per 32 bytes of K, 128 int32
// accumulators per thread. K advances BK = 128 bytes per stage; 4 stages of shared memory,
// loads issued 2 stages ahead with cp.async by all 256 threads, and one wgmma group left in
// flight across the barrier (see the main loop for why the slots never collide).
//
// Shared-memory layout of one operand tile (ROWS × 128 bytes of K), the canonical K-major
// 128-byte-swizzle layout of the PTX ISA ("Shared Memory Matrix Layout", swizzle mode 128B):
//   byte offset of (row r, 16-byte chunk j of K) = r·128 + 16·(j XOR (r mod 8)),
// with every tile 1024-byte aligned, so the XOR equals the hardware's 128B swizzle of address
// bits [4,7) with bits [7,10). Eight rows (1024 bytes) form one swizzle atom; atoms are stacked
// along M/N.
//
// Matrix descriptor (64 bits, PTX ISA "Matrix Descriptor Format"):
//   bits  0..13  start address >> 4   (shared-window address of the 64-row A slice / B tile,
//                                       plus 32·kk bytes for the kk-th k32 step inside the
//                                       128-byte swizzle row; 1024-aligned + 32·kk, so the
//                                       base-offset field stays 0)
//   bits 16..29  leading byte offset >> 4 = 1  (unused: K-major with swizzle, the instruction's
//                                       K extent of 32 bytes lies inside one 128-byte row)
//   bits 32..45  stride byte offset >> 4 = 64  (1024 bytes between consecutive 8-row groups)
//   bits 49..51  base offset = 0
//   bits 62..63  swizzle mode = 1 (128-byte swizzle)
//
// Accumulator layout (PTX ISA, wgmma D fragment for .s32, m64nN): thread t of the warpgroup,
// warp q = t/32, lane l: d[4i + 2h + e] = D[16q + l/4 + 8h][8i + 2(l%4) + e], i < N/8.

#define WG_BM 128
#define WG_BN 256
#define WG_BK 128
#define WG_STAGES 4
#define WG_THREADS 256
#define WG_A_BYTES (WG_BM * WG_BK)
#define WG_B_BYTES (WG_BN * WG_BK)
#define WG_STAGE_BYTES (WG_A_BYTES + WG_B_BYTES)
static_assert(WG_BK == 128, "wg_mma_stage_k128 consumes 128-byte K stages");
// + 1024 so the stages can be aligned to 1024 bytes whatever the dynamic base is.
#define WG_SMEM_BYTES (WG_STAGES * WG_STAGE_BYTES + 1024)

__device__ __forceinline__ void wg_cp_async16(unsigned int dst, const void* src,
                                              unsigned int src_bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
                 "r"(src_bytes)
                 : "memory");
}

__device__ __forceinline__ void wg_cp_async_commit() {
    asm volatile("cp.async.commit_group;\n" ::: "memory");
}

template <int N>
__device__ __forceinline__ void wg_cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// This thread's completed shared-memory writes become visible to the async proxy (wgmma).
__device__ __forceinline__ void wg_fence_proxy_async() {
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

// Issues the copies of one K stage of one operand: ROWS rows of `src` (rows × k, row-major)
// from row0, bytes k0..k0+127, into the swizzled tile at shared address `dst`. Eight
// consecutive threads copy one 128-byte row. Rows past `rows` and chunks past k are
// zero-filled (src-size 0), reading from a valid address.
template <int ROWS>
__device__ __forceinline__ void wg_load_tile(unsigned int dst, const signed char* __restrict__ src,
                                             unsigned int row0, unsigned int rows,
                                             unsigned int k, unsigned int k0, unsigned int tid) {
#pragma unroll
    for (int e = 0; e < (ROWS * (WG_BK / 16)) / WG_THREADS; ++e) {
        const unsigned int id = tid + e * WG_THREADS;
        const unsigned int r = id >> 3;
        const unsigned int j = id & 7u;
        const unsigned int gr = row0 + r;
        const unsigned int gk = k0 + 16u * j;
        const bool ok = gr < rows && gk < k;
        const signed char* g = ok ? src + (unsigned long long)gr * k + gk : src;
        wg_cp_async16(dst + r * (unsigned int)WG_BK + ((j ^ (r & 7u)) << 4), g, ok ? 16u : 0u);
    }
}

extern "C" __global__ void __launch_bounds__(WG_THREADS, 1)
gemm_i8_wgmma_nt(const signed char* __restrict__ a,
                 const signed char* __restrict__ bt,
                 int* __restrict__ c,
                 unsigned int m, unsigned int k, unsigned int n)
{
    extern __shared__ __align__(1024) signed char wg_smem[];
    // Stage s: A tile (128 rows) at base + s·WG_STAGE_BYTES, B tile (256 rows) right after it;
    // every tile, and warpgroup 1's half of A (+8192), is 1024-byte aligned.
    const unsigned int raw = (unsigned int)__cvta_generic_to_shared(wg_smem);
    const unsigned int base = (raw + 1023u) & ~1023u;

    const unsigned int tid = threadIdx.x;
    const unsigned int wg = tid >> 7;
    const unsigned int row0 = blockIdx.x * WG_BM;
    const unsigned int col0 = blockIdx.y * WG_BN;

    int acc[128];
#pragma unroll
    for (int i = 0; i < 128; ++i) {
        acc[i] = 0;
    }

    const unsigned int tiles = (k + WG_BK - 1u) / WG_BK;
#pragma unroll
    for (int s = 0; s < WG_STAGES - 2; ++s) {
        if ((unsigned int)s < tiles) {
            const unsigned int st = base + s * WG_STAGE_BYTES;
            wg_load_tile<WG_BM>(st, a, row0, m, k, s * WG_BK, tid);
            wg_load_tile<WG_BN>(st + WG_A_BYTES, bt, col0, n, k, s * WG_BK, tid);
        }
        wg_cp_async_commit();
    }

    // Iteration kt: stage kt's copies are complete (this thread's by wait_group, everyone's by
    // the barrier, made visible to the async proxy by the fence before it); then the copies of
    // stage kt+2 go into slot (kt+2) % 4 = (kt-2) % 4, whose last reader, wgmma group kt-2,
    // both warpgroups waited for (wait_group 1 in iteration kt-1) before the barrier. Group
    // kt-1 may still be reading slot (kt-1) % 4, which nobody writes in this iteration.
    for (unsigned int kt = 0; kt < tiles; ++kt) {
        wg_cp_async_wait<WG_STAGES - 3>();
        wg_fence_proxy_async();
        __syncthreads();
        {
            const unsigned int next = kt + WG_STAGES - 2;
            if (next < tiles) {
                const unsigned int st = base + (next % WG_STAGES) * WG_STAGE_BYTES;
                wg_load_tile<WG_BM>(st, a, row0, m, k, next * WG_BK, tid);
                wg_load_tile<WG_BN>(st + WG_A_BYTES, bt, col0, n, k, next * WG_BK, tid);
            }
            wg_cp_async_commit();
        }
        const unsigned int st = base + (kt % WG_STAGES) * WG_STAGE_BYTES;
        const unsigned long long da = wg_desc(st + wg * (64u * WG_BK));
        const unsigned long long db = wg_desc(st + WG_A_BYTES);
        wg_mma_stage_k128(acc, da, db);
    }
    wgmma_wait<0>();
    wg_fence_acc(acc);
    wg_cp_async_wait<0>();

    wg_store_acc(c, acc, m, n, row0 + wg * 64u, col0, tid & 127u);
}
