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
// Three builds of this source (the host prepends `#define TM_CLUSTER 2` for the second,
// `#define TM_HASH 1` and blake3_keyed.cuh for the third):
//   TM_CLUSTER 1 ("tma"): each block loads its own A and B boxes.
//   TM_HASH 1 ("tma-hash"): "tma" that also commits to C: see "Hashing" below.
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
// Hashing (TM_HASH, ADR-007): the row digests of C computed alongside the GEMM instead of in
// a second pass over C. Chunk j of a row's keyed BLAKE3 is exactly the row's columns
// 256j .. 256j + 255, i.e. one row of one output tile, so each tile's 128 row chunks can be
// hashed as soon as the tile is stored, by warps whose ALUs the tensor-core loop leaves idle:
// warps 1–3 of the producer warpgroup (warp 0 issues the loads), and, once their tiles are
// done, the consumers. The chaining values go to `cvs` (8 words per (row, chunk)) and
// `row_merge_cvs` (row_digests.cu) merges them into the digests. Requires n % 256 == 0.
//   * Units of work are groups of 32 rows of one tile (4 per tile), numbered in the block's
//     tile order (tile j = the block's j-th tile) and taken from a shared counter, so they
//     start in order and any idle warp takes the next.
//   * A tile is hashed from global memory (L2: the block stored it moments ago), once its
//     TMA stores have completed: thread 0 of each consumer warpgroup waits for its bulk
//     groups (cp.async.bulk.wait_group 0) and arrives on ready[j % TM_RING] (count 2). It
//     does so for tile j in the K loop of tile j + 1 (after its third stage is issued), when
//     the stores have long drained, so the tensor cores do not wait for the stores.
//   * Hashers arrive on done[j % TM_RING] (count 4, one per group) when a group is written.
//     Before signalling tile j the consumer waits for done of tile j - TM_RING, so no
//     barrier ever runs two phases ahead of a waiter (groups in flight span at most 3
//     tiles: 11 warps, 4 groups a tile) and the GEMM waits only when hashing falls behind.
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
#ifndef TM_HASH
#define TM_HASH 0
#endif
#if TM_HASH
// The hashing warps of the producer warpgroup hold a BLAKE3 state, a message block and the
// next block in flight.
#define TM_PRODUCER_REGS TM_HASH_PRODUCER_REGS
#define TM_CONSUMER_REGS TM_HASH_CONSUMER_REGS
#elif TM_CLUSTER > 1
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

#if TM_HASH
static_assert(TM_CLUSTER == 1, "the hashing build is the single-block build");
#define TM_RING 4
#define TM_GROUP_ROWS 32
#define TM_GROUPS (TM_BM / TM_GROUP_ROWS)
// ready[s], done[s] after the 2·TM_STAGES slot barriers; the group counter after them.
__device__ __forceinline__ unsigned int tm_ready(unsigned int bars, unsigned int s) {
    return bars + 8u * (2u * TM_STAGES + s);
}
__device__ __forceinline__ unsigned int tm_done(unsigned int bars, unsigned int s) {
    return bars + 8u * (2u * TM_STAGES + TM_RING + s);
}
#define TM_COUNTER_OFFSET (8u * (2u * TM_STAGES + 2u * TM_RING))

// Thread 0 of a consumer warpgroup: tile j's stores (all of this thread's bulk groups) have
// completed and are visible; tell the hashers.
__device__ __forceinline__ void tm_signal_ready(unsigned int bars, unsigned int j) {
    asm volatile("cp.async.bulk.wait_group 0;\n" ::: "memory");
    asm volatile("fence.proxy.async.global;\n" ::: "memory");
    const unsigned int s = j % TM_RING;
    const unsigned int r = j / TM_RING;
    if (r > 0u) {
        tm_mbar_wait(tm_done(bars, s), (r - 1u) & 1u);
    }
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(tm_ready(bars, s)) : "memory");
}

// The chaining value of the 1 KiB chunk at `src` (16-byte aligned), chunk number `ch` of its
// row: 16 blocks, the next one's loads in flight while one is compressed.
__device__ __forceinline__ void tm_hash_chunk(const int* src, unsigned int ch, unsigned int cv[8]) {
    const uint4* p = reinterpret_cast<const uint4*>(src);
    b3_key(cv);
    uint4 cur[4];
    uint4 nxt[4];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        cur[i] = __ldca(p + i);
    }
#pragma unroll 1
    for (unsigned int blk = 0; blk < 16u; ++blk) {
        if (blk + 1u < 16u) {
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                nxt[i] = __ldca(p + 4u * (blk + 1u) + i);
            }
        }
        unsigned int m[16];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            m[4 * i + 0] = cur[i].x;
            m[4 * i + 1] = cur[i].y;
            m[4 * i + 2] = cur[i].z;
            m[4 * i + 3] = cur[i].w;
        }
        const unsigned int flags = B3_KEYED | (blk == 0u ? B3_CHUNK_START : 0u) |
                                   (blk == 15u ? B3_CHUNK_END : 0u);
        b3_compress(cv, m, ch, B3_BLOCK_LEN, flags, cv);
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            cur[i] = nxt[i];
        }
    }
}

// A warp takes groups from the counter until the block's tiles are all hashed.
__device__ __forceinline__ void tm_hash_groups(unsigned int* counter, const int* c,
                                               unsigned int* cvs, unsigned int m,
                                               unsigned int n, unsigned int first,
                                               unsigned int stride, unsigned int groups_m,
                                               unsigned int tiles_n, unsigned int band,
                                               unsigned int ntiles, unsigned int bars) {
    const unsigned int lane = threadIdx.x & 31u;
    const unsigned int chunks = n >> 8;
    for (;;) {
        unsigned int g = 0;
        if (lane == 0u) {
            g = atomicAdd(counter, 1u);
        }
        g = __shfl_sync(0xffffffffu, g, 0);
        if (g >= ntiles * TM_GROUPS) {
            return;
        }
        const unsigned int j = g / TM_GROUPS;
        tm_mbar_wait(tm_ready(bars, j % TM_RING), (j / TM_RING) & 1u);
        unsigned int row0, col0;
        tm_tile_coords<TM_BM, TM_BN>(first + j * stride, groups_m, tiles_n, band, 0u, &row0,
                                     &col0);
        const unsigned int row = row0 + (g % TM_GROUPS) * TM_GROUP_ROWS + lane;
        if (row < m) {
            const unsigned int ch = col0 >> 8;
            unsigned int cv[8];
            tm_hash_chunk(c + (unsigned long long)row * n + col0, ch, cv);
            uint4* dst = reinterpret_cast<uint4*>(cvs + ((unsigned long long)row * chunks + ch) * 8ull);
            dst[0] = make_uint4(cv[0], cv[1], cv[2], cv[3]);
            dst[1] = make_uint4(cv[4], cv[5], cv[6], cv[7]);
        }
        __syncwarp();
        if (lane == 0u) {
            asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(tm_done(bars, j % TM_RING))
                         : "memory");
        }
    }
}
#endif

// tma_a: 2-D tensor map over A, dims {k, m} (K innermost), row stride k bytes, box {128, 128},
// 128-byte swizzle, zero fill. tma_b: over Bᵀ, dims {k, n}, box {128, TM_B_ROWS}, same
// otherwise. tma_c: over C as int32, dims {n, m}, row stride 4n bytes, box {32, 64},
// 128-byte swizzle, used when tma_store != 0 (which needs n % 4 == 0); otherwise the
// consumers store C from registers. band: tile order (tm_tile_coords), ≥ 1. cvs: with
// TM_HASH (tma_store must be 1, n % 256 == 0), m·(n/256)·8 words of chunk chaining values;
// unused otherwise.
extern "C" __global__ void __launch_bounds__(TM_THREADS, 1)
#if TM_CLUSTER > 1
__cluster_dims__(TM_CLUSTER, 1, 1)
#endif
gemm_i8_tma_nt(const __grid_constant__ TmaDesc tma_a,
               const __grid_constant__ TmaDesc tma_b,
               const __grid_constant__ TmaDesc tma_c,
               int* __restrict__ c,
               unsigned int* __restrict__ cvs,
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
#if TM_HASH
        for (int s = 0; s < TM_RING; ++s) {
            tm_mbar_init(tm_ready(bars, s), 2u);
            tm_mbar_init(tm_done(bars, s), TM_GROUPS);
        }
        *reinterpret_cast<unsigned int*>(tm_smem + (bars - raw) + TM_COUNTER_OFFSET) = 0u;
#endif
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
#if TM_HASH
    unsigned int* counter = reinterpret_cast<unsigned int*>(tm_smem + (bars - raw) + TM_COUNTER_OFFSET);
    const unsigned int ntiles = first < groups ? (groups - first + stride - 1u) / stride : 0u;
#endif

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
#if TM_HASH
        if (tid >= 32u) {
            tm_hash_groups(counter, c, cvs, m, n, first, stride, groups_m, tiles_n, band,
                           ntiles, bars);
        }
#endif
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
#if TM_HASH
    // The local number of the tile whose ready signal is still owed (tiles_done - 1).
    unsigned int tiles_done = 0;
    bool pending = false;
#endif
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
#if TM_HASH
            if (kt == 2u && pending) {
                if (t128 == 0u) {
                    tm_signal_ready(bars, tiles_done - 1u);
                }
                pending = false;
            }
#endif
        }
        wgmma_wait<0>();
        wg_fence_acc(acc);
        if (ktiles > 0 && signals) {
            tm_release(bars + 8u * (TM_STAGES + (use - 1u) % TM_STAGES));
        }

#if TM_HASH
        if (pending) {
            // K was too short to signal from the loop.
            if (t128 == 0u) {
                tm_signal_ready(bars, tiles_done - 1u);
            }
            pending = false;
        }
#endif
        if (tma_store != 0u) {
            tm_store_acc_tma(&tma_c, acc, epi_base + half * (2u * TM_EPI_BYTES), 1u + half, m,
                             n, row0 + half * 64u, col0, t128, issued);
        } else {
            wg_store_acc(c, acc, m, n, row0 + half * 64u, col0, t128);
        }
#if TM_HASH
        ++tiles_done;
        pending = true;
#endif
    }
#if TM_HASH
    if (pending && t128 == 0u) {
        tm_signal_ready(bars, tiles_done - 1u);
    }
    // The consumers' own tiles are stored: help hash what is left.
    tm_hash_groups(counter, c, cvs, m, n, first, stride, groups_m, tiles_n, band, ntiles, bars);
#endif
    if (tma_store != 0u && t128 == 0u) {
        // The last stores must have read shared memory before the block may exit.
        asm volatile("cp.async.bulk.wait_group 0;\n" ::: "memory");
    }
#if TM_CLUSTER > 1
    tm_cluster_sync();
#endif
}
