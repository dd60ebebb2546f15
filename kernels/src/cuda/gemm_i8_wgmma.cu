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
// + 1024 so the stages can be aligned to 1024 bytes whatever the dynamic base is.
#define WG_SMEM_BYTES (WG_STAGES * WG_STAGE_BYTES + 1024)

// Descriptor bits above the start address: LBO 16 bytes (encoded 1), SBO 1024 bytes (64),
// 128-byte swizzle (mode 1 in bits 62..63).
#define WG_DESC_HI ((1ull << 16) | (64ull << 32) | (1ull << 62))

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

__device__ __forceinline__ void wgmma_fence() {
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}

__device__ __forceinline__ void wgmma_commit() {
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}

template <int N>
__device__ __forceinline__ void wgmma_wait() {
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}

// Pins the accumulators in place around wgmma waits (no code motion across this point).
__device__ __forceinline__ void wg_fence_acc(int (&d)[128]) {
#pragma unroll
    for (int i = 0; i < 128; ++i) {
        asm volatile("" : "+r"(d[i])::"memory");
    }
}

__device__ __forceinline__ unsigned long long wg_desc(unsigned int smem_addr) {
    return WG_DESC_HI | (unsigned long long)((smem_addr & 0x3FFFFu) >> 4);
}

// D += A·B over 32 bytes of K (scale-d = 1: accumulate).
__device__ __forceinline__ void wgmma_m64n256k32(int (&d)[128], unsigned long long da,
                                                 unsigned long long db) {
    asm volatile(
        "{\n"
        ".reg .pred p;\n"
        "setp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k32.s32.s8.s8 {"
        "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, "
        "%19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, "
        "%36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, "
        "%53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, %64, %65, %66, %67, %68, %69, "
        "%70, %71, %72, %73, %74, %75, %76, %77, %78, %79, %80, %81, %82, %83, %84, %85, %86, "
        "%87, %88, %89, %90, %91, %92, %93, %94, %95, %96, %97, %98, %99, %100, %101, %102, "
        "%103, %104, %105, %106, %107, %108, %109, %110, %111, %112, %113, %114, %115, %116, "
        "%117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127"
        "}, %128, %129, p;\n"
        "}\n"
        : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3]), "+r"(d[4]), "+r"(d[5]), "+r"(d[6]),
          "+r"(d[7]), "+r"(d[8]), "+r"(d[9]), "+r"(d[10]), "+r"(d[11]), "+r"(d[12]),
          "+r"(d[13]), "+r"(d[14]), "+r"(d[15]), "+r"(d[16]), "+r"(d[17]), "+r"(d[18]),
          "+r"(d[19]), "+r"(d[20]), "+r"(d[21]), "+r"(d[22]), "+r"(d[23]), "+r"(d[24]),
          "+r"(d[25]), "+r"(d[26]), "+r"(d[27]), "+r"(d[28]), "+r"(d[29]), "+r"(d[30]),
          "+r"(d[31]), "+r"(d[32]), "+r"(d[33]), "+r"(d[34]), "+r"(d[35]), "+r"(d[36]),
          "+r"(d[37]), "+r"(d[38]), "+r"(d[39]), "+r"(d[40]), "+r"(d[41]), "+r"(d[42]),
          "+r"(d[43]), "+r"(d[44]), "+r"(d[45]), "+r"(d[46]), "+r"(d[47]), "+r"(d[48]),
          "+r"(d[49]), "+r"(d[50]), "+r"(d[51]), "+r"(d[52]), "+r"(d[53]), "+r"(d[54]),
          "+r"(d[55]), "+r"(d[56]), "+r"(d[57]), "+r"(d[58]), "+r"(d[59]), "+r"(d[60]),
          "+r"(d[61]), "+r"(d[62]), "+r"(d[63]), "+r"(d[64]), "+r"(d[65]), "+r"(d[66]),
          "+r"(d[67]), "+r"(d[68]), "+r"(d[69]), "+r"(d[70]), "+r"(d[71]), "+r"(d[72]),
          "+r"(d[73]), "+r"(d[74]), "+r"(d[75]), "+r"(d[76]), "+r"(d[77]), "+r"(d[78]),
          "+r"(d[79]), "+r"(d[80]), "+r"(d[81]), "+r"(d[82]), "+r"(d[83]), "+r"(d[84]),
          "+r"(d[85]), "+r"(d[86]), "+r"(d[87]), "+r"(d[88]), "+r"(d[89]), "+r"(d[90]),
          "+r"(d[91]), "+r"(d[92]), "+r"(d[93]), "+r"(d[94]), "+r"(d[95]), "+r"(d[96]),
          "+r"(d[97]), "+r"(d[98]), "+r"(d[99]), "+r"(d[100]), "+r"(d[101]), "+r"(d[102]),
          "+r"(d[103]), "+r"(d[104]), "+r"(d[105]), "+r"(d[106]), "+r"(d[107]), "+r"(d[108]),
          "+r"(d[109]), "+r"(d[110]), "+r"(d[111]), "+r"(d[112]), "+r"(d[113]), "+r"(d[114]),
          "+r"(d[115]), "+r"(d[116]), "+r"(d[117]), "+r"(d[118]), "+r"(d[119]), "+r"(d[120]),
          "+r"(d[121]), "+r"(d[122]), "+r"(d[123]), "+r"(d[124]), "+r"(d[125]), "+r"(d[126]),
          "+r"(d[127])
        : "l"(da), "l"(db), "r"(1));
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
        wg_fence_acc(acc);
        wgmma_fence();
#pragma unroll
        for (int kk = 0; kk < WG_BK / 32; ++kk) {
            // +32 bytes of K per step: +2 in the start-address field (address >> 4).
            wgmma_m64n256k32(acc, da + 2ull * kk, db + 2ull * kk);
        }
        wgmma_commit();
        wgmma_wait<1>();
        wg_fence_acc(acc);
    }
    wgmma_wait<0>();
    wg_fence_acc(acc);
    wg_cp_async_wait<0>();

    const unsigned int t = tid & 127u;
    const unsigned int q = t >> 5;
    const unsigned int l = t & 31u;
    const unsigned int rbase = row0 + wg * 64u + 16u * q + (l >> 2);
    const unsigned int cbase = col0 + 2u * (l & 3u);
    const bool pairs = (n & 1u) == 0u;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        const unsigned int gr = rbase + 8u * h;
        if (gr < m) {
            int* crow = c + (unsigned long long)gr * n;
#pragma unroll
            for (int i = 0; i < 32; ++i) {
                const unsigned int gc = cbase + 8u * i;
                const int v0 = acc[4 * i + 2 * h];
                const int v1 = acc[4 * i + 2 * h + 1];
                if (pairs && gc + 1u < n) {
                    *reinterpret_cast<int2*>(crow + gc) = make_int2(v0, v1);
                } else {
                    if (gc < n) {
                        crow[gc] = v0;
                    }
                    if (gc + 1u < n) {
                        crow[gc + 1u] = v1;
                    }
                }
            }
        }
    }
}
