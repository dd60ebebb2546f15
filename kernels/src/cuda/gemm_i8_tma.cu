// proofwork int8 GEMM on Hopper (sm_90a only), warp-specialised: TMA loads signalled through
// mbarriers from a producer warpgroup, `wgmma.mma_async` m64n256k32 s8 in two consumer
// warpgroups, and a persistent tile loop. Same contract as `gemm_i8_wgmma_nt`
// (gemm_i8_wgmma.cu): C = A·B from A (m×k, row-major) and bt = Bᵀ (n×k, row-major), every
// element an exact int32 sum (k < 2^17), bit-identical to the CPU reference.
//
// What it changes against gemm_i8_wgmma.cu (which issues cp.async from the MMA warps and
// synchronises the block once per K step): the loads are the Tensor Memory Accelerator's
// (one thread issues a 16 KiB A box and a 32 KiB B box per stage; the hardware swizzles them
// into the same 128-byte-swizzle layout the wgmma descriptors describe, and zero-fills
// everything outside m, n and k), the MMA warps never wait for a block barrier, only for
// their stage's mbarrier, and a block keeps its shared memory and pipeline across output
// tiles (grid = number of SMs), so the next tile's loads overlap this tile's epilogue.
//
// Requirements (checked by the host): k % 16 == 0 (TMA global strides are multiples of 16
// bytes), 16-byte aligned base pointers, TM_SMEM_BYTES of dynamic shared memory allowed on
// the function, tensor maps built by the host as described at `gemm_i8_tma_nt`.
//
// Block: 384 threads = 3 warpgroups. Warpgroup 0 is the producer (thread 0 issues all TMA
// copies; the others idle at reduced registers), warpgroups 1 and 2 compute rows 0..63 and
// 64..127 of a 128×256 tile of C, 128 int32 accumulators per thread.
//
// Pipeline: TM_STAGES slots of (A 128×128 B, B 256×128 B). Slot s has two mbarriers:
//   full[s]  (arrival count 1): the producer's arrive.expect_tx(48 KiB); completes when both
//            boxes have landed (the TMA unit's complete_tx).
//   empty[s] (arrival count 256): every consumer thread arrives once its wgmma group that read
//            the slot has completed (wgmma.wait_group), so the producer may overwrite it.
// Use number u = 0, 1, 2, … of the pipeline (counted across tiles) goes to slot u % S in round
// r = u / S: consumers wait for completion r of full[s] (parity r & 1); the producer, for r ≥ 1,
// waits for completion r - 1 of empty[s] (parity (r - 1) & 1).
//
// Descriptors, swizzle and accumulator layout: as in gemm_i8_wgmma.cu.

#define TM_BM 128
#define TM_BN 256
#define TM_BK 128
#define TM_STAGES 4
#define TM_THREADS 384
#define TM_CONSUMERS 256
#define TM_A_BYTES (TM_BM * TM_BK)
#define TM_B_BYTES (TM_BN * TM_BK)
#define TM_STAGE_BYTES (TM_A_BYTES + TM_B_BYTES)
static_assert(TM_BK == 128, "wg_mma_stage_k128 consumes 128-byte K stages");
// Tiles, + 1024 to align them to 1024 bytes whatever the dynamic base is, + 1024 for the
// 2·TM_STAGES mbarriers (8 bytes each; a whole KiB keeps the arithmetic obvious).
#define TM_SMEM_BYTES (TM_STAGES * TM_STAGE_BYTES + 1024 + 1024)

// A CUtensorMap (driver API), opaque: 128 bytes, 64-byte aligned, passed by value as a
// __grid_constant__ parameter so its address is a valid generic address for TMA.
struct __align__(64) TmaDesc {
    unsigned long long opaque[16];
};

__device__ __forceinline__ void tm_mbar_init(unsigned int bar, unsigned int count) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}

// Blocks until the phase of `bar` with parity `parity` has completed.
__device__ __forceinline__ void tm_mbar_wait(unsigned int bar, unsigned int parity) {
    asm volatile(
        "{\n"
        ".reg .pred p;\n"
        "TM_WAIT:\n"
        "mbarrier.try_wait.parity.shared::cta.b64 p, [%0], %1;\n"
        "@p bra TM_DONE;\n"
        "bra TM_WAIT;\n"
        "TM_DONE:\n"
        "}\n" ::"r"(bar),
        "r"(parity)
        : "memory");
}

__device__ __forceinline__ void tm_mbar_arrive(unsigned int bar) {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}

__device__ __forceinline__ void tm_mbar_arrive_expect_tx(unsigned int bar, unsigned int bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar),
                 "r"(bytes)
                 : "memory");
}

// One 2-D TMA box: coordinates (x = byte offset along K, y = row) of `desc`'s tensor into
// shared memory at `dst`, completing `bytes` of transaction on `bar`. Out-of-range elements
// are written as zeros.
__device__ __forceinline__ void tm_tma_load_2d(unsigned int dst, const TmaDesc* desc,
                                               unsigned int bar, int x, int y) {
    asm volatile(
        "cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
        " [%0], [%1, {%3, %4}], [%2];\n" ::"r"(dst),
        "l"(reinterpret_cast<unsigned long long>(desc)), "r"(bar), "r"(x), "r"(y)
        : "memory");
}


// Output tile `t` of a tiles_m × tiles_n grid, M fastest: the blocks running at once share
// a few column tiles of B while A streams (A and Bᵀ of a 4096² job both fit in L2).
__device__ __forceinline__ void tm_tile_coords(unsigned int t, unsigned int tiles_m,
                                               unsigned int* row0, unsigned int* col0) {
    *row0 = (t % tiles_m) * TM_BM;
    *col0 = (t / tiles_m) * TM_BN;
}

// tma_a: 2-D tensor map over A, dims {k, m} (K innermost), row stride k bytes, box {128, 128},
// 128-byte swizzle, zero fill. tma_b: over Bᵀ, dims {k, n}, box {128, 256}, same otherwise.
extern "C" __global__ void __launch_bounds__(TM_THREADS, 1)
gemm_i8_tma_nt(const __grid_constant__ TmaDesc tma_a,
               const __grid_constant__ TmaDesc tma_b,
               int* __restrict__ c,
               unsigned int m, unsigned int k, unsigned int n)
{
    extern __shared__ __align__(1024) signed char tm_smem[];
    const unsigned int raw = (unsigned int)__cvta_generic_to_shared(tm_smem);
    const unsigned int base = (raw + 1023u) & ~1023u;
    const unsigned int bars = base + TM_STAGES * TM_STAGE_BYTES;
    // full[s] at bars + 8s, empty[s] at bars + 8·(TM_STAGES + s).
    const unsigned int tid = threadIdx.x;
    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < TM_STAGES; ++s) {
            tm_mbar_init(bars + 8u * s, 1u);
            tm_mbar_init(bars + 8u * (TM_STAGES + s), TM_CONSUMERS);
        }
        // Make the initialised barriers visible to the async proxy (the TMA unit).
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
    __syncthreads();

    const unsigned int tiles_m = (m + TM_BM - 1u) / TM_BM;
    const unsigned int tiles = tiles_m * ((n + TM_BN - 1u) / TM_BN);
    const unsigned int ktiles = (k + TM_BK - 1u) / TM_BK;
    const unsigned int wg = tid >> 7;

    if (wg == 0) {
        // Producer. It needs few registers; the consumers get them.
        asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n" ::: "memory");
        if (tid == 0) {
            unsigned int use = 0;
            for (unsigned int t = blockIdx.x; t < tiles; t += gridDim.x) {
                unsigned int row0, col0;
                tm_tile_coords(t, tiles_m, &row0, &col0);
                for (unsigned int kt = 0; kt < ktiles; ++kt, ++use) {
                    const unsigned int s = use % TM_STAGES;
                    const unsigned int round = use / TM_STAGES;
                    if (round > 0) {
                        tm_mbar_wait(bars + 8u * (TM_STAGES + s), (round - 1u) & 1u);
                    }
                    const unsigned int full = bars + 8u * s;
                    const unsigned int st = base + s * TM_STAGE_BYTES;
                    tm_mbar_arrive_expect_tx(full, TM_STAGE_BYTES);
                    tm_tma_load_2d(st, &tma_a, full, (int)(kt * TM_BK), (int)row0);
                    tm_tma_load_2d(st + TM_A_BYTES, &tma_b, full, (int)(kt * TM_BK), (int)col0);
                }
            }
        }
        return;
    }

    // Consumers: warpgroup 1 → rows 0..63 of the tile, warpgroup 2 → rows 64..127.
    asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n" ::: "memory");
    const unsigned int half = wg - 1u;
    const unsigned int t128 = tid & 127u;
    int acc[128];
    unsigned int use = 0;
    for (unsigned int t = blockIdx.x; t < tiles; t += gridDim.x) {
        unsigned int row0, col0;
        tm_tile_coords(t, tiles_m, &row0, &col0);
#pragma unroll
        for (int i = 0; i < 128; ++i) {
            acc[i] = 0;
        }
        for (unsigned int kt = 0; kt < ktiles; ++kt, ++use) {
            const unsigned int s = use % TM_STAGES;
            tm_mbar_wait(bars + 8u * s, (use / TM_STAGES) & 1u);
            const unsigned int st = base + s * TM_STAGE_BYTES;
            const unsigned long long da = wg_desc(st + half * (64u * TM_BK));
            const unsigned long long db = wg_desc(st + TM_A_BYTES);
            wg_mma_stage_k128(acc, da, db);
            // The group before this one has completed: its slot may be refilled.
            if (kt > 0) {
                tm_mbar_arrive(bars + 8u * (TM_STAGES + (use - 1u) % TM_STAGES));
            }
        }
        wgmma_wait<0>();
        wg_fence_acc(acc);
        if (ktiles > 0) {
            tm_mbar_arrive(bars + 8u * (TM_STAGES + (use - 1u) % TM_STAGES));
        }

        wg_store_acc(c, acc, m, n, row0 + half * 64u, col0, t128);
    }
}
