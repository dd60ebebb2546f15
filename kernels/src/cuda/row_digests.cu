// proofwork row digests: out[32·i .. 32·i+32] = BLAKE3-keyed(C_ROW_KEY, row i of C as int32
// little-endian bytes), bit-identical to `merkle::leaf_hash_i32` (the full BLAKE3 chunk tree:
// 1024-byte chunks, chunk counters, parent nodes, ROOT on the last compression). The host
// prepends blake3_keyed.cuh.
//
// A row of n values is ceil(n / 256) chunks, chunk j being columns 256j .. 256j + 255 (the
// last may be shorter). The fast path, for rows of two chunks or more:
//   `row_chunk_cvs`: one thread per (row, chunk) writes the chunk's chaining value;
//   `row_merge_cvs`: one warp per row merges them level by level into the root.
// The hashing GEMM (gemm_i8_tma.cu with TM_HASH) writes the same chaining values from its
// epilogue and ends with the same `row_merge_cvs`. Rows of one chunk, and the simple
// version kept as a cross-check, are `row_digests_i32` (one thread hashing a whole row).

#define MAX_STACK 54
// Rows `row_merge_cvs` takes per block (one warp each) and chunks per row it can hold in
// shared memory (n ≤ 65,536; wider rows use `row_digests_i32`).
#define MERGE_WARPS 4
#define MERGE_MAX 256

// The chaining value (or, with `root`, the digest words) of chunk `ch` of a row of n values.
__device__ void b3_chunk(const int* row, unsigned int n, unsigned int ch, bool root,
                         unsigned int cv[8]) {
    const unsigned int first = 256u * ch;
    const unsigned int words = n - first < 256u ? n - first : 256u;
    const unsigned int blocks = (words + 15u) / 16u;
    const bool vec = (n & 3u) == 0u;
    b3_key(cv);
    unsigned int m[16];
    for (unsigned int blk = 0; blk < blocks; ++blk) {
        const unsigned int w0 = first + 16u * blk;
        const unsigned int len = words - 16u * blk < 16u ? words - 16u * blk : 16u;
        if (vec && len == 16u) {
            const uint4* src = reinterpret_cast<const uint4*>(row + w0);
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const uint4 v = __ldg(src + i);
                m[4 * i + 0] = v.x;
                m[4 * i + 1] = v.y;
                m[4 * i + 2] = v.z;
                m[4 * i + 3] = v.w;
            }
        } else {
            for (unsigned int w = 0; w < 16u; ++w) {
                m[w] = w < len ? (unsigned int)row[w0 + w] : 0u;
            }
        }
        const bool last = blk + 1u == blocks;
        const unsigned int flags = B3_KEYED | (blk == 0u ? B3_CHUNK_START : 0u) |
                                   (last ? B3_CHUNK_END : 0u) | (last && root ? B3_ROOT : 0u);
        b3_compress(cv, m, ch, 4u * len, flags, cv);
    }
}

__device__ __forceinline__ void store_digest(const unsigned int d[8], unsigned char* dst) {
    for (int t = 0; t < 8; ++t) {
        dst[4 * t + 0] = (unsigned char)(d[t]);
        dst[4 * t + 1] = (unsigned char)(d[t] >> 8);
        dst[4 * t + 2] = (unsigned char)(d[t] >> 16);
        dst[4 * t + 3] = (unsigned char)(d[t] >> 24);
    }
}

// The digest of one row, its chunks hashed in order and merged on a stack (the BLAKE3
// reference `add_chunk_chaining_value`).
__device__ void row_digest(const int* row, unsigned int n, unsigned char* dst) {
    const unsigned int chunks = (n + 255u) / 256u;
    unsigned int cv[8];
    if (chunks == 1u) {
        b3_chunk(row, n, 0u, true, cv);
        store_digest(cv, dst);
        return;
    }
    unsigned int stack[MAX_STACK][8];
    int sp = 0;
    unsigned int pair[16];
    for (unsigned int ch = 0; ch + 1u < chunks; ++ch) {
        b3_chunk(row, n, ch, false, cv);
        unsigned long long total = ch + 1ull;
        while ((total & 1ull) == 0ull) {
            --sp;
            for (int t = 0; t < 8; ++t) {
                pair[t] = stack[sp][t];
                pair[t + 8] = cv[t];
            }
            b3_parent(pair, 0u, cv);
            total >>= 1;
        }
        for (int t = 0; t < 8; ++t) {
            stack[sp][t] = cv[t];
        }
        ++sp;
    }
    b3_chunk(row, n, chunks - 1u, false, cv);
    while (sp > 0) {
        --sp;
        for (int t = 0; t < 8; ++t) {
            pair[t] = stack[sp][t];
            pair[t + 8] = cv[t];
        }
        b3_parent(pair, sp == 0 ? B3_ROOT : 0u, cv);
    }
    store_digest(cv, dst);
}

// One thread per row, hashing the whole row (the simple version; also the path for rows of
// one chunk and rows wider than MERGE_MAX chunks).
extern "C" __global__ void row_digests_i32(const int* __restrict__ c, unsigned int m,
                                           unsigned int n, unsigned char* __restrict__ out)
{
    const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m) {
        return;
    }
    row_digest(c + (unsigned long long)i * n, n, out + 32ull * i);
}

// Fast path, launch 1: one thread per (row i, chunk ch) of rows of `chunks` ≥ 2 chunks;
// writes cvs[8·(i·chunks + ch) ..].
extern "C" __global__ void row_chunk_cvs(const int* __restrict__ c, unsigned int m,
                                         unsigned int n, unsigned int chunks,
                                         unsigned int* __restrict__ cvs)
{
    const unsigned long long idx = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (chunks < 2u || idx >= (unsigned long long)m * chunks) {
        return;
    }
    const unsigned long long i = idx / chunks;
    const unsigned int ch = (unsigned int)(idx % chunks);
    unsigned int cv[8];
    b3_chunk(c + i * n, n, ch, false, cv);
#pragma unroll
    for (int t = 0; t < 8; ++t) {
        cvs[8ull * idx + t] = cv[t];
    }
}

// One step of a level of the merge: the parent of nodes 2i and 2i+1 of `nodes` (8 words
// each), for slot i. Reading children before any parent of the level is written (the warp's
// __syncwarp below) keeps the level's inputs intact; so does running lanes in order, as the
// CPU emulator does (slot i is written after lane i/2 ≤ i read it).
__device__ __forceinline__ void merge_pair(const unsigned int* nodes, unsigned int i,
                                           unsigned int cnt, unsigned int out[8]) {
    b3_parent(nodes + 16u * i, cnt == 2u ? B3_ROOT : 0u, out);
}

// Fast path, launch 2: one warp per row merges its `chunks` (2 ≤ chunks ≤ MERGE_MAX)
// chaining values into the digest, level by level: nodes pair left to right and an unpaired
// last node moves up unchanged, which is BLAKE3's tree (left subtrees whole powers of two).
// Launch ceil(m / MERGE_WARPS) blocks of 32·MERGE_WARPS threads.
extern "C" __global__ void row_merge_cvs(const unsigned int* __restrict__ cvs, unsigned int m,
                                         unsigned int chunks, unsigned char* __restrict__ out)
{
    __shared__ unsigned int nodes[MERGE_WARPS][MERGE_MAX * 8];
    const unsigned int warp = threadIdx.x >> 5;
    const unsigned int lane = threadIdx.x & 31u;
    const unsigned int row = blockIdx.x * MERGE_WARPS + warp;
    if (row >= m || chunks < 2u || chunks > MERGE_MAX) {
        return;
    }
    unsigned int* nd = nodes[warp];
    const unsigned int* src = cvs + (unsigned long long)row * chunks * 8ull;
    for (unsigned int i = lane; i < 8u * chunks; i += 32u) {
        nd[i] = src[i];
    }
    __syncwarp();
    unsigned int cnt = chunks;
    while (cnt > 1u) {
        const unsigned int pairs = cnt >> 1;
        for (unsigned int base = 0; base < pairs; base += 32u) {
            const unsigned int i = base + lane;
            unsigned int p[8];
            if (i < pairs) {
                merge_pair(nd, i, cnt, p);
            }
            __syncwarp();
            if (i < pairs) {
                for (int t = 0; t < 8; ++t) {
                    nd[8u * i + t] = p[t];
                }
            }
            __syncwarp();
        }
        if ((cnt & 1u) != 0u) {
            if (lane < 8u) {
                nd[8u * pairs + lane] = nd[8u * (cnt - 1u) + lane];
            }
            __syncwarp();
        }
        cnt = pairs + (cnt & 1u);
    }
    if (lane == 0u) {
        store_digest(nd, out + 32ull * row);
    }
}
