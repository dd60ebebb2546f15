// The Hopper TMA kernel's building blocks (prepended to gemm_i8_tma.cu after
// hopper_wgmma.cuh by the host, which defines TM_CLUSTER for the cluster build):
// tensor maps, mbarriers, TMA box loads (plain and multicast) and cluster barriers.

#ifndef TM_CLUSTER
#define TM_CLUSTER 1
#endif
static_assert(TM_CLUSTER == 1 || TM_CLUSTER == 2, "clusters of one or two blocks");

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

__device__ __forceinline__ void tm_mbar_arrive_expect_tx(unsigned int bar, unsigned int bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar),
                 "r"(bytes)
                 : "memory");
}

// Arrives on the mbarrier at shared offset `bar` of block `cta` of the cluster (this block
// included; without a cluster launch the block is a cluster of one, rank 0). Default
// semantics (release, CTA scope), as CUTLASS's ClusterBarrier::arrive(cta_id): what it
// publishes is that this warp's wgmma reads of the slot have completed (wgmma.wait_group).
// `.release.cluster` here, on every slot of every warp, made the multicast build 40 % slower
// (0.55× instead of 0.91× cuBLASLt on an H200).
__device__ __forceinline__ void tm_mbar_arrive_cluster(unsigned int bar, unsigned int cta) {
    asm volatile(
        "{\n"
        ".reg .b32 remote;\n"
        "mapa.shared::cluster.u32 remote, %0, %1;\n"
        "mbarrier.arrive.shared::cluster.b64 _, [remote];\n"
        "}\n" ::"r"(bar),
        "r"(cta)
        : "memory");
}

// Releases slot barrier `empty` (lane 0 of a consumer warp, after its warpgroup's wgmma group
// that read the slot completed) in every block whose shared memory the slot's loads write.
__device__ __forceinline__ void tm_release(unsigned int empty) {
#if TM_CLUSTER > 1
#pragma unroll
    for (unsigned int p = 0; p < TM_CLUSTER; ++p) {
        tm_mbar_arrive_cluster(empty, p);
    }
#else
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(empty) : "memory");
#endif
}

__device__ __forceinline__ unsigned int tm_cluster_rank() {
    unsigned int r;
    asm volatile("mov.u32 %0, %%cluster_ctarank;\n" : "=r"(r));
    return r;
}

// Every thread of every block of the cluster: writes before it (barrier initialisation, the
// last arrivals on a peer's barriers) are visible to all of them after it.
__device__ __forceinline__ void tm_cluster_sync() {
    asm volatile(
        "barrier.cluster.arrive.release.aligned;\n"
        "barrier.cluster.wait.acquire.aligned;\n" ::
            : "memory");
}

// Brings a tensor map into the TMA unit's descriptor cache ahead of the first load.
__device__ __forceinline__ void tm_prefetch_tensormap(const TmaDesc* desc) {
    asm volatile("prefetch.tensormap [%0];\n" ::"l"(reinterpret_cast<unsigned long long>(desc))
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

// As tm_tma_load_2d, into the same shared offset `dst` of every block in `mask` (bit i =
// cluster rank i), completing the bytes on each one's mbarrier at offset `bar`.
__device__ __forceinline__ void tm_tma_load_2d_multicast(unsigned int dst, const TmaDesc* desc,
                                                         unsigned int bar, int x, int y,
                                                         unsigned short mask) {
    asm volatile(
        "cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
        ".multicast::cluster [%0], [%1, {%3, %4}], [%2], %5;\n" ::"r"(dst),
        "l"(reinterpret_cast<unsigned long long>(desc)), "r"(bar), "r"(x), "r"(y), "h"(mask)
        : "memory");
}

// The output tile (BM×BN) of block `rank` of the cluster in tile group `g` (a group is
// TM_CLUSTER vertically adjacent tiles). Groups are ordered in bands of `band` group rows
// (the last band may be shorter): within a band M runs fastest, then N, then the next band.
// The blocks running at once then cover a few column tiles of B and at most `band` row
// panels of A, so both stay in L2 however tall A is; `band` ≥ groups_m is plain M-fastest
// order (the host chooses it, 1 ≤ band).
template <unsigned int BM, unsigned int BN>
__device__ __forceinline__ void tm_tile_coords(unsigned int g, unsigned int groups_m,
                                               unsigned int tiles_n, unsigned int band,
                                               unsigned int rank, unsigned int* row0,
                                               unsigned int* col0) {
    const unsigned int per_band = band * tiles_n;
    const unsigned int first = (g / per_band) * band;
    const unsigned int rows = min(groups_m - first, band);
    const unsigned int r = g % per_band;
    *row0 = ((first + r % rows) * TM_CLUSTER + rank) * BM;
    *col0 = (r / rows) * BN;
}
