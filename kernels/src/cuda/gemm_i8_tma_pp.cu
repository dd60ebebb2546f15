// proofwork int8 GEMM on Hopper (sm_90a only), ping-pong: the TMA producer and mbarrier
// pipeline of gemm_i8_tma.cu, but each consumer warpgroup owns a whole 128×128 output tile
// (two m64n128k32 wgmmas per 32 bytes of K, 128 accumulators per thread) and the two take
// turns: while one runs its tile's MMAs the other stores its previous tile and waits. The
// tensor cores then never idle through an epilogue, which is what the cooperative kernel
// (both warpgroups on one 128×256 tile, storing at the same time) loses; cuBLASLt's int8
// kernel on Hopper has this shape (128×128×128 tiles, one warpgroup per tile, 384 threads,
// clusters of two). Same contract as `gemm_i8_tma_nt`: C = A·B from A (m×k, row-major) and
// bt = Bᵀ (n×k, row-major), exact int32 sums (k < 2^17), bit-identical to the CPU.
//
// Two builds (TM_CLUSTER, as gemm_i8_tma.cu): "tma-pp" one block per tile pair, "tma-pp-mc"
// clusters of two blocks on vertically adjacent tiles, each loading its A box and one half
// (64 rows) of the common B box, multicast into both.
//
// Block: 384 threads. Warpgroup 0: the producer (thread 0 issues every TMA load). Warpgroups
// 1 and 2: consumers; the block's j-th output tile (j = 0, 1, 2, … over the persistent loop)
// belongs to consumer (j & 1).
//
// Pipeline: PP_STAGES slots of (A 128×128 B, B 128×128 B), used in tile order: tile j's K
// steps are uses j·ktiles … j·ktiles + ktiles - 1, slot u % S, round u / S, exactly as in
// gemm_i8_tma.cu. full[s] (count 1): the producer's expect_tx. empty[s] (count
// 4·TM_CLUSTER): lane 0 of each warp of the consumer that read the slot, in every block of
// the cluster.
//
// Order: a consumer waits on full[s] with a parity, which only tells the phase it wants from
// the one before it if the slot's previous round has completed. Tile j's previous rounds
// belong to tile j - 1 (the other consumer), so consumer c may start tile j only once the
// other consumer has seen every full barrier of tile j - 1: order[c] (count 1) is arrived by
// the other consumer's thread 0 after its last full wait of a tile, and consumer c waits for
// its phase before each of its tiles (but consumer 0's first). That also makes the two
// consumers take turns on the tensor cores, the ping-pong itself. Neither can run two
// phases ahead of the other, so parity waits on order[] are exact too.

#define PP_BM 128
#define PP_BN 128
#define PP_BK 128
#define PP_STAGES 7
#define PP_THREADS 384
#define PP_CONSUMER_WARPS 4
#define PP_A_BYTES (PP_BM * PP_BK)
#define PP_B_BYTES (PP_BN * PP_BK)
#define PP_STAGE_BYTES (PP_A_BYTES + PP_B_BYTES)
#if TM_CLUSTER > 1
#define PP_PRODUCER_REGS "56"
#define PP_CONSUMER_REGS "224"
#else
#define PP_PRODUCER_REGS "40"
#define PP_CONSUMER_REGS "232"
#endif
// Rows of B each block of a cluster loads (and multicasts).
#define PP_B_ROWS (PP_BN / TM_CLUSTER)
static_assert(PP_BK == 128, "one stage is four 32-byte K steps of 128-byte swizzled rows");
// Tiles (7 × 32 KiB), + 1024 alignment slack, + 1024 for the barriers: 226 KiB of the 227
// KiB a block may have.
#define PP_SMEM_BYTES (PP_STAGES * PP_STAGE_BYTES + 1024 + 1024)

// One 128-byte K stage of a 128×128 tile: for each 32 bytes of K, rows 0..63 (descriptor
// da0) and 64..127 (da1) against the same 128 columns of B (db), one commit group; returns
// once the group before it has completed.
__device__ __forceinline__ void pp_mma_stage(int (&lo)[64], int (&hi)[64],
                                             unsigned long long da0, unsigned long long da1,
                                             unsigned long long db) {
    wg_fence_acc64(lo);
    wg_fence_acc64(hi);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < 4; ++kk) {
        wgmma_m64n128k32(lo, da0 + 2ull * kk, db + 2ull * kk);
        wgmma_m64n128k32(hi, da1 + 2ull * kk, db + 2ull * kk);
    }
    wgmma_commit();
    wgmma_wait<1>();
    wg_fence_acc64(lo);
    wg_fence_acc64(hi);
}

// Tensor maps as for gemm_i8_tma_nt, with B boxes of {128, PP_B_ROWS}. band: tile order
// (tm_tile_coords), ≥ 1.
extern "C" __global__ void __launch_bounds__(PP_THREADS, 1)
#if TM_CLUSTER > 1
__cluster_dims__(TM_CLUSTER, 1, 1)
#endif
gemm_i8_tma_pp_nt(const __grid_constant__ TmaDesc tma_a,
                  const __grid_constant__ TmaDesc tma_b,
                  int* __restrict__ c,
                  unsigned int m, unsigned int k, unsigned int n, unsigned int band)
{
    extern __shared__ __align__(1024) signed char pp_smem[];
    const unsigned int raw = (unsigned int)__cvta_generic_to_shared(pp_smem);
    const unsigned int base = (raw + 1023u) & ~1023u;
    const unsigned int bars = base + PP_STAGES * PP_STAGE_BYTES;
    // full[s] at bars + 8s, empty[s] at bars + 8·(S + s), order[c] at bars + 8·(2S + c).
    const unsigned int order = bars + 8u * (2u * PP_STAGES);
    const unsigned int tid = threadIdx.x;
    if (tid == 0) {
#pragma unroll
        for (int s = 0; s < PP_STAGES; ++s) {
            tm_mbar_init(bars + 8u * s, 1u);
            tm_mbar_init(bars + 8u * (PP_STAGES + s), PP_CONSUMER_WARPS * TM_CLUSTER);
        }
        tm_mbar_init(order, 1u);
        tm_mbar_init(order + 8u, 1u);
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
#if TM_CLUSTER > 1
    tm_cluster_sync();
    const unsigned int rank = tm_cluster_rank();
#else
    __syncthreads();
    const unsigned int rank = 0;
#endif

    const unsigned int tiles_m = (m + PP_BM - 1u) / PP_BM;
    const unsigned int groups_m = (tiles_m + TM_CLUSTER - 1u) / TM_CLUSTER;
    const unsigned int tiles_n = (n + PP_BN - 1u) / PP_BN;
    const unsigned int groups = groups_m * tiles_n;
    const unsigned int ktiles = (k + PP_BK - 1u) / PP_BK;
#if TM_CLUSTER > 1
    unsigned int first, stride;
    asm volatile("mov.u32 %0, %%clusterid.x;\n" : "=r"(first));
    asm volatile("mov.u32 %0, %%nclusterid.x;\n" : "=r"(stride));
#else
    const unsigned int first = blockIdx.x;
    const unsigned int stride = gridDim.x;
#endif
    const unsigned int wg = tid >> 7;

    if (wg == 0) {
        asm volatile("setmaxnreg.dec.sync.aligned.u32 " PP_PRODUCER_REGS ";\n" ::: "memory");
        if (tid == 0) {
            tm_prefetch_tensormap(&tma_a);
            tm_prefetch_tensormap(&tma_b);
            unsigned int use = 0;
            for (unsigned int g = first; g < groups; g += stride) {
                unsigned int row0, col0;
                tm_tile_coords<PP_BM, PP_BN>(g, groups_m, tiles_n, band, rank, &row0, &col0);
#if TM_CLUSTER > 1
                // As gemm_i8_tma.cu: boxes wholly outside the matrix are not loaded, and
                // their bytes leave the expected count.
                const bool a_in = row0 < m;
                const bool b_in = col0 + rank * PP_B_ROWS < n;
                const unsigned int bytes = (a_in ? PP_A_BYTES : 0u) + PP_B_ROWS * PP_BK +
                                           (col0 + PP_B_ROWS < n ? PP_B_ROWS * PP_BK : 0u);
#endif
                for (unsigned int kt = 0; kt < ktiles; ++kt, ++use) {
                    const unsigned int s = use % PP_STAGES;
                    const unsigned int round = use / PP_STAGES;
                    if (round > 0) {
                        tm_mbar_wait(bars + 8u * (PP_STAGES + s), (round - 1u) & 1u);
                    }
                    const unsigned int full = bars + 8u * s;
                    const unsigned int st = base + s * PP_STAGE_BYTES;
                    const int x = (int)(kt * PP_BK);
#if TM_CLUSTER > 1
                    tm_mbar_arrive_expect_tx(full, bytes);
                    if (a_in) {
                        tm_tma_load_2d(st, &tma_a, full, x, (int)row0);
                    }
                    if (b_in) {
                        tm_tma_load_2d_multicast(st + PP_A_BYTES + rank * (PP_B_ROWS * PP_BK),
                                                 &tma_b, full, x, (int)(col0 + rank * PP_B_ROWS),
                                                 (unsigned short)((1u << TM_CLUSTER) - 1u));
                    }
#else
                    tm_mbar_arrive_expect_tx(full, PP_STAGE_BYTES);
                    tm_tma_load_2d(st, &tma_a, full, x, (int)row0);
                    tm_tma_load_2d(st + PP_A_BYTES, &tma_b, full, x, (int)col0);
#endif
                }
            }
        }
#if TM_CLUSTER > 1
        __syncwarp();
        tm_cluster_sync();
#endif
        return;
    }

    asm volatile("setmaxnreg.inc.sync.aligned.u32 " PP_CONSUMER_REGS ";\n" ::: "memory");
    const unsigned int me = wg - 1u;
    const unsigned int t128 = tid & 127u;
    const bool signals = (tid & 31u) == 0u;
    int lo[64];
    int hi[64];
    // This consumer's tiles: j = me, me + 2, …; the k-th of them waits for phase k - 1 of
    // order[me] (consumer 0's first waits for nothing), arrived after the other consumer's
    // tile j - 1.
    unsigned int turn = 0;
    for (unsigned int j = me;; j += 2u, ++turn) {
        const unsigned int g = first + j * stride;
        if (g >= groups) {
            break;
        }
        unsigned int row0, col0;
        tm_tile_coords<PP_BM, PP_BN>(g, groups_m, tiles_n, band, rank, &row0, &col0);
        if (me == 1u || turn > 0u) {
            tm_mbar_wait(order + 8u * me, (me == 1u ? turn : turn - 1u) & 1u);
        }
#pragma unroll
        for (int i = 0; i < 64; ++i) {
            lo[i] = 0;
            hi[i] = 0;
        }
        unsigned int use = j * ktiles;
        for (unsigned int kt = 0; kt < ktiles; ++kt, ++use) {
            const unsigned int s = use % PP_STAGES;
            tm_mbar_wait(bars + 8u * s, (use / PP_STAGES) & 1u);
            const unsigned int st = base + s * PP_STAGE_BYTES;
            pp_mma_stage(lo, hi, wg_desc(st), wg_desc(st + 64u * PP_BK), wg_desc(st + PP_A_BYTES));
            if (kt > 0 && signals) {
                tm_release(bars + 8u * (PP_STAGES + (use - 1u) % PP_STAGES));
            }
        }
        // Every full barrier of this tile has been seen: the other consumer may start the
        // next tile.
        if (t128 == 0u) {
            asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(order + 8u * (1u - me))
                         : "memory");
        }
        wgmma_wait<0>();
        wg_fence_acc64(lo);
        wg_fence_acc64(hi);
        if (ktiles > 0 && signals) {
            tm_release(bars + 8u * (PP_STAGES + (use - 1u) % PP_STAGES));
        }
        wg_store_acc(c, lo, m, n, row0, col0, t128);
        wg_store_acc(c, hi, m, n, row0 + 64u, col0, t128);
    }
#if TM_CLUSTER > 1
    tm_cluster_sync();
#endif
}
