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
// Two builds of this source (the host prepends `#define TM_CLUSTER 2` for the second):
//   TM_CLUSTER 1 ("tma"): each block loads its own A and B boxes.
//   TM_CLUSTER 2 ("tma-mc"): blocks run in clusters of two that compute vertically adjacent
//     tiles (rows row0 and row0 + 128, the same 256 columns), so they need the same B box:
//     each block loads its own A box and one half (128 rows) of B, multicast into both blocks'
//     shared memory at the same offset. Per stage a block then pulls 32 KiB from L2 instead of
//     48 KiB. Measured on an H100 and an H200: as fast as TM_CLUSTER 1 (±2 %), so L2
//     traffic is not what bounds this kernel (ncu: 55 % of L2 throughput); cuBLASLt uses
//     such clusters too.
//
// The backend runs the TM_CLUSTER 1 build on Hopper: 0.92–0.96× cuBLASLt at m·n ≥ 4096² on
// an H100, 0.93–0.97× on an H200, faster than cuBLASLt at 8192³ (BENCHMARKS.md).
//
// Requirements (checked by the host): k % 16 == 0 (TMA global strides are multiples of 16
// bytes), 16-byte aligned base pointers, TM_SMEM_BYTES of dynamic shared memory allowed on
// the function, tensor maps built by the host as described at `gemm_i8_tma_nt`, and for
// TM_CLUSTER 2 an even grid (the cluster shape is compiled in with __cluster_dims__).
//
// Block: 384 threads = 3 warpgroups. Warpgroup 0 is the producer (thread 0 issues all TMA
// copies; the others idle at reduced registers), warpgroups 1 and 2 compute rows 0..63 and
// 64..127 of a 128×256 tile of C, 128 int32 accumulators per thread.
//
// Pipeline: TM_STAGES slots of (A 128×128 B, B 256×128 B). Slot s has two mbarriers:
//   full[s]  (arrival count 1): the producer's arrive.expect_tx(48 KiB, less by the boxes
//            the multicast build skips as wholly outside the matrix); completes when all
//            boxes have landed (the TMA unit's complete_tx, from this block's loads and, with
//            TM_CLUSTER 2, the peer's multicast half of B).
//   empty[s] (arrival count 8·TM_CLUSTER): lane 0 of every consumer warp of every block in the
//            cluster arrives once its warpgroup's wgmma group that read the slot has completed
//            (wgmma.wait_group), so the producer may overwrite the slot — in every block its
//            loads write to, hence the arrivals from the peer.
//
// Tiles: in bands of row tiles (tm_tile_coords in hopper_tma.cuh), so that a tall A's
// panels in flight stay in L2 (0.83× → 0.93× cuBLASLt at 16384×4096²).
//
// Epilogue: when n % 4 == 0 each consumer warpgroup stages its 64×256 int32 result through
// two 8 KiB swizzled shared-memory buffers and TMA bulk stores (tm_store_acc_tma), which
// drain while it starts the next tile's MMAs; storing straight from registers kept the
// tensor cores idle for the whole store (5.8 % slower at 4096³). Other n store directly.
//
// Use number u = 0, 1, 2, … of the pipeline (counted across tiles) goes to slot u % S in round
// r = u / S: consumers wait for completion r of full[s] (parity r & 1); the producer, for r ≥ 1,
// waits for completion r - 1 of empty[s] (parity (r - 1) & 1). Both blocks of a cluster walk
// the same tiles with the same number of K steps, so their use numbers agree.
//
// Descriptors, swizzle and accumulator layout: as in gemm_i8_wgmma.cu. Two 128-row B halves
// stacked in shared memory are byte for byte one 256-row box (the swizzle repeats every 8
// rows, 1 KiB), so the consumers read B the same way in both builds.

#define TM_BM 128
#define TM_BN 256
#define TM_BK 128
#define TM_STAGES 4
#define TM_THREADS 384
#define TM_CONSUMER_WARPS 8
#define TM_A_BYTES (TM_BM * TM_BK)
#define TM_B_BYTES (TM_BN * TM_BK)
#define TM_STAGE_BYTES (TM_A_BYTES + TM_B_BYTES)
// Registers per thread after setmaxnreg: 128·producer + 256·consumer ≤ 65,536 (168 each at
// launch). The multicast build's producer needs more than 40 to count wholly-outside boxes
// without spilling.
#if TM_CLUSTER > 1
#define TM_PRODUCER_REGS "56"
#define TM_CONSUMER_REGS "224"
#else
#define TM_PRODUCER_REGS "40"
#define TM_CONSUMER_REGS "232"
#endif
// Rows of B each block of a cluster loads (and multicasts).
#define TM_B_ROWS (TM_BN / TM_CLUSTER)
static_assert(TM_BK == 128, "wg_mma_stage_k128 consumes 128-byte K stages");
// (The producer's byte count for TM_CLUSTER 2 assumes exactly two B halves.)
// The epilogue's staging buffers for the TMA store of C: per consumer warpgroup two chunks
// of 64 rows × 32 int32 (8 KiB each, 128-byte rows, 128-byte swizzle).
#define TM_EPI_COLS 32
#define TM_EPI_BYTES (64 * TM_EPI_COLS * 4)
#define TM_EPI_TOTAL (2 * 2 * TM_EPI_BYTES)
// Tiles, epilogue buffers, + 1024 to align them to 1024 bytes whatever the dynamic base is,
// + 1024 for the 2·TM_STAGES mbarriers (8 bytes each; a whole KiB keeps the arithmetic
// obvious): 226 KiB of the 227 a block may have.
#define TM_SMEM_BYTES (TM_STAGES * TM_STAGE_BYTES + TM_EPI_TOTAL + 1024 + 1024)

// Stores a consumer warpgroup's 64×256 accumulator tile (top-left C[row0][col0]) through
// shared memory and the TMA unit, so the warpgroup can start its next tile while the stores
// drain: eight 64×32 chunks, each into one of the warpgroup's two buffers at `epi`. Thread 0
// of the warpgroup (`t` = 0) issues the bulk stores and owns their bulk groups. Chunks wholly
// outside m or n are skipped altogether (the condition is the same for the whole
// warpgroup); the TMA unit clips partial ones. The buffers alternate by `issued`, the
// warpgroup's count of stores so far (across tiles), not by chunk index: the store that last
// read a buffer is then always the one before the newest, which `wait_group.read 1` covers.
// (Alternating by chunk index let a skipped chunk leave the newest store reading the buffer
// about to be refilled; an H100 caught it.) `bar`: the warpgroup's named barrier (128
// threads).
__device__ __forceinline__ void tm_store_acc_tma(const TmaDesc* tma_c, const int (&acc)[128],
                                                 unsigned int epi, unsigned int bar,
                                                 unsigned int m, unsigned int n,
                                                 unsigned int row0, unsigned int col0,
                                                 unsigned int t, unsigned int& issued) {
    const unsigned int q = t >> 5;
    const unsigned int l = t & 31u;
    // This thread's rows in the chunk (r, r + 8) and its 8-byte column pair within each
    // 16-byte unit; the 128-byte swizzle XORs the unit index with the row's low 3 bits.
    const unsigned int r = 16u * q + (l >> 2);
    const unsigned int unit = (l & 3u) >> 1;
    const unsigned int byte = (l & 1u) << 3;
#pragma unroll
    for (int j = 0; j < 256 / TM_EPI_COLS; ++j) {
        const unsigned int cx = col0 + (unsigned int)j * TM_EPI_COLS;
        if (row0 >= m || cx >= n) {
            continue;
        }
        const unsigned int buf = epi + (issued & 1u) * TM_EPI_BYTES;
        ++issued;
        if (t == 0u) {
            asm volatile("cp.async.bulk.wait_group.read 1;\n" ::: "memory");
        }
        asm volatile("bar.sync %0, 128;\n" ::"r"(bar) : "memory");
#pragma unroll
        for (int ii = 0; ii < TM_EPI_COLS / 8; ++ii) {
            const int i = j * (TM_EPI_COLS / 8) + ii;
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                const unsigned int row = r + 8u * h;
                const unsigned int addr =
                    buf + row * 128u + ((((2u * ii) + unit) ^ (row & 7u)) << 4) + byte;
                asm volatile("st.shared.v2.b32 [%0], {%1, %2};\n" ::"r"(addr),
                             "r"(acc[4 * i + 2 * h]), "r"(acc[4 * i + 2 * h + 1])
                             : "memory");
            }
        }
        // The generic-proxy writes above must be visible to the TMA unit (async proxy).
        asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
        asm volatile("bar.sync %0, 128;\n" ::"r"(bar) : "memory");
        if (t == 0u) {
            asm volatile(
                "cp.async.bulk.tensor.2d.global.shared::cta.bulk_group [%0, {%1, %2}], [%3];\n"
                "cp.async.bulk.commit_group;\n" ::"l"(reinterpret_cast<unsigned long long>(tma_c)),
                "r"((int)cx), "r"((int)row0), "r"(buf)
                : "memory");
        }
    }
}

// tma_a: 2-D tensor map over A, dims {k, m} (K innermost), row stride k bytes, box {128, 128},
// 128-byte swizzle, zero fill. tma_b: over Bᵀ, dims {k, n}, box {128, TM_B_ROWS}, same
// otherwise. tma_c: over C as int32, dims {n, m}, row stride 4n bytes, box {32, 64},
// 128-byte swizzle, used when tma_store != 0 (which needs n % 4 == 0); otherwise the
// consumers store C from registers. band: tile order (tm_tile_coords), ≥ 1.
extern "C" __global__ void __launch_bounds__(TM_THREADS, 1)
#if TM_CLUSTER > 1
__cluster_dims__(TM_CLUSTER, 1, 1)
#endif
gemm_i8_tma_nt(const __grid_constant__ TmaDesc tma_a,
               const __grid_constant__ TmaDesc tma_b,
               const __grid_constant__ TmaDesc tma_c,
               int* __restrict__ c,
               unsigned int m, unsigned int k, unsigned int n, unsigned int band,
               unsigned int tma_store)
{
    extern __shared__ __align__(1024) signed char tm_smem[];
    const unsigned int raw = (unsigned int)__cvta_generic_to_shared(tm_smem);
    const unsigned int base = (raw + 1023u) & ~1023u;
    const unsigned int epi_base = base + TM_STAGES * TM_STAGE_BYTES;
    const unsigned int bars = epi_base + TM_EPI_TOTAL;
    // full[s] at bars + 8s, empty[s] at bars + 8·(TM_STAGES + s).
    const unsigned int tid = threadIdx.x;
    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < TM_STAGES; ++s) {
            tm_mbar_init(bars + 8u * s, 1u);
            tm_mbar_init(bars + 8u * (TM_STAGES + s), TM_CONSUMER_WARPS * TM_CLUSTER);
        }
        // Make the initialised barriers visible to the async proxy (the TMA unit) and to
        // the cluster.
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
#if TM_CLUSTER > 1
    // The peer's barriers must be initialised before this block multicasts into them.
    tm_cluster_sync();
    const unsigned int rank = tm_cluster_rank();
#else
    __syncthreads();
    const unsigned int rank = 0;
#endif

    const unsigned int tiles_m = (m + TM_BM - 1u) / TM_BM;
    const unsigned int groups_m = (tiles_m + TM_CLUSTER - 1u) / TM_CLUSTER;
    const unsigned int tiles_n = (n + TM_BN - 1u) / TM_BN;
    const unsigned int groups = groups_m * tiles_n;
    const unsigned int ktiles = (k + TM_BK - 1u) / TM_BK;
#if TM_CLUSTER > 1
    // The cluster's index and count: the same in both blocks by definition.
    unsigned int first, stride;
    asm volatile("mov.u32 %0, %%clusterid.x;\n" : "=r"(first));
    asm volatile("mov.u32 %0, %%nclusterid.x;\n" : "=r"(stride));
#else
    const unsigned int first = blockIdx.x;
    const unsigned int stride = gridDim.x;
#endif
    const unsigned int wg = tid >> 7;

    if (wg == 0) {
        // Producer. It needs few registers; the consumers get them.
        asm volatile("setmaxnreg.dec.sync.aligned.u32 " TM_PRODUCER_REGS ";\n" ::: "memory");
        if (tid == 0) {
            tm_prefetch_tensormap(&tma_a);
            tm_prefetch_tensormap(&tma_b);
            if (tma_store != 0u) {
                tm_prefetch_tensormap(&tma_c);
            }
            unsigned int use = 0;
            for (unsigned int g = first; g < groups; g += stride) {
                unsigned int row0, col0;
                tm_tile_coords<TM_BM, TM_BN>(g, groups_m, tiles_n, band, rank, &row0, &col0);
#if TM_CLUSTER > 1
                // Boxes wholly outside the matrix are not loaded (rank 1's A box when the
                // number of row tiles is odd, the second B half at or past n): their rows or
                // columns of C are never stored, so whatever the slot held may stay. Both
                // blocks count the same B halves (the first is always inside n), which land
                // in both.
                const bool a_in = row0 < m;
                const bool b_in = col0 + rank * TM_B_ROWS < n;
                const unsigned int bytes = (a_in ? TM_A_BYTES : 0u) + TM_B_ROWS * TM_BK +
                                           (col0 + TM_B_ROWS < n ? TM_B_ROWS * TM_BK : 0u);
#endif
                for (unsigned int kt = 0; kt < ktiles; ++kt, ++use) {
                    const unsigned int s = use % TM_STAGES;
                    const unsigned int round = use / TM_STAGES;
                    if (round > 0) {
                        tm_mbar_wait(bars + 8u * (TM_STAGES + s), (round - 1u) & 1u);
                    }
                    const unsigned int full = bars + 8u * s;
                    const unsigned int st = base + s * TM_STAGE_BYTES;
                    const int x = (int)(kt * TM_BK);
#if TM_CLUSTER > 1
                    tm_mbar_arrive_expect_tx(full, bytes);
                    if (a_in) {
                        tm_tma_load_2d(st, &tma_a, full, x, (int)row0);
                    }
                    if (b_in) {
                        tm_tma_load_2d_multicast(st + TM_A_BYTES + rank * (TM_B_ROWS * TM_BK),
                                                 &tma_b, full, x, (int)(col0 + rank * TM_B_ROWS),
                                                 (unsigned short)((1u << TM_CLUSTER) - 1u));
                    }
#else
                    tm_mbar_arrive_expect_tx(full, TM_STAGE_BYTES);
                    tm_tma_load_2d(st, &tma_a, full, x, (int)row0);
                    tm_tma_load_2d(st + TM_A_BYTES, &tma_b, full, x, (int)col0);
#endif
                }
            }
        }
#if TM_CLUSTER > 1
        // Stay for the final cluster barrier: the peer may still multicast into this block
        // and arrive on its barriers until its consumers are done.
        __syncwarp();
        tm_cluster_sync();
#endif
        return;
    }

    // Consumers: warpgroup 1 → rows 0..63 of the tile, warpgroup 2 → rows 64..127.
    asm volatile("setmaxnreg.inc.sync.aligned.u32 " TM_CONSUMER_REGS ";\n" ::: "memory");
    const unsigned int half = wg - 1u;
    const unsigned int t128 = tid & 127u;
    const bool signals = (tid & 31u) == 0u;
    int acc[128];
    unsigned int use = 0;
    unsigned int issued = 0;
    for (unsigned int g = first; g < groups; g += stride) {
        unsigned int row0, col0;
        tm_tile_coords<TM_BM, TM_BN>(g, groups_m, tiles_n, band, rank, &row0, &col0);
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
            if (kt > 0 && signals) {
                tm_release(bars + 8u * (TM_STAGES + (use - 1u) % TM_STAGES));
            }
        }
        wgmma_wait<0>();
        wg_fence_acc(acc);
        if (ktiles > 0 && signals) {
            tm_release(bars + 8u * (TM_STAGES + (use - 1u) % TM_STAGES));
        }

        if (tma_store != 0u) {
            tm_store_acc_tma(&tma_c, acc, epi_base + half * (2u * TM_EPI_BYTES), 1u + half, m,
                             n, row0 + half * 64u, col0, t128, issued);
        } else {
            wg_store_acc(c, acc, m, n, row0 + half * 64u, col0, t128);
        }
    }
    if (tma_store != 0u && t128 == 0u) {
        // The last stores must have read shared memory before the block may exit.
        asm volatile("cp.async.bulk.wait_group 0;\n" ::: "memory");
    }
#if TM_CLUSTER > 1
    tm_cluster_sync();
#endif
}
