// proofwork int8 GEMM: C = A·B, A m×k, B k×n (int8, row-major), C m×n (int32, row-major).
//
// Compiled at run time by NVRTC (no host headers are available there: only builtin types).
// Requires sm_61+ for __dp4a. Every element of C is an exact integer sum (k < 2^17 keeps it
// inside int32, see the crate docs), so the result is bit-identical to the CPU reference
// whatever the summation order.
//
// Tiling: one 256-thread block computes a 128×128 tile of C; each thread an 8×8 sub-tile
// whose rows are ty + 16·i and columns tx + 16·j (strided, so that a warp reads consecutive
// shared-memory words of Bs: no bank conflicts). K advances 32 bytes at a time: the A tile
// (128 rows × 32 bytes) and the B tile (32 × 128 bytes) go to shared memory packed as
// 32-bit words of 4 consecutive k, which is what __dp4a multiplies.

#define BM 128
#define BN 128
#define BK 32
#define KW (BK / 4)
#define TM 8
#define TN 8
#define THREADS 256

__device__ __forceinline__ unsigned int byte_of(signed char v, int shift) {
    return ((unsigned int)(unsigned char)v) << shift;
}

extern "C" __global__ void __launch_bounds__(THREADS)
gemm_i8_dp4a(const signed char* __restrict__ a,
             const signed char* __restrict__ b,
             int* __restrict__ c,
             unsigned int m, unsigned int k, unsigned int n)
{
    // As[r][w]: bytes k0+4w .. k0+4w+3 of row row0+r (little-endian within the word).
    // One word of padding per row keeps the column reads spread over banks.
    __shared__ int As[BM][KW + 1];
    // Bs[w][j]: bytes k0+4w .. k0+4w+3 of column col0+j.
    __shared__ int Bs[KW][BN];

    const unsigned int tid = threadIdx.x;
    const unsigned int tx = tid % 16;
    const unsigned int ty = tid / 16;
    const unsigned int row0 = blockIdx.x * BM;
    const unsigned int col0 = blockIdx.y * BN;

    int acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i) {
#pragma unroll
        for (int j = 0; j < TN; ++j) {
            acc[i][j] = 0;
        }
    }

    // The A fast path reads whole aligned words; it needs every row to start on a word.
    const bool a_words = (k & 3u) == 0u;

    for (unsigned int k0 = 0; k0 < k; k0 += BK) {
        // A tile: BM·KW = 1024 words, 4 per thread; consecutive threads take consecutive
        // words of a row, so a warp reads 4 rows × 32 contiguous bytes.
#pragma unroll
        for (int e = 0; e < (BM * KW) / THREADS; ++e) {
            const unsigned int w = tid + e * THREADS;
            const unsigned int r = w / KW;
            const unsigned int kw = w % KW;
            const unsigned int gr = row0 + r;
            const unsigned int gk = k0 + 4u * kw;
            int packed = 0;
            if (gr < m) {
                const signed char* src = a + (unsigned long long)gr * k + gk;
                if (a_words && gk + 4u <= k) {
                    packed = *reinterpret_cast<const int*>(src);
                } else {
                    unsigned int p = 0;
#pragma unroll
                    for (int t = 0; t < 4; ++t) {
                        if (gk + t < k) {
                            p |= byte_of(src[t], 8 * t);
                        }
                    }
                    packed = (int)p;
                }
            }
            As[r][kw] = packed;
        }
        // B tile: KW·BN = 1024 words, 4 per thread; consecutive threads take consecutive
        // columns, so each of the 4 byte loads of a word is coalesced across the warp.
#pragma unroll
        for (int e = 0; e < (KW * BN) / THREADS; ++e) {
            const unsigned int w = tid + e * THREADS;
            const unsigned int kw = w / BN;
            const unsigned int j = w % BN;
            const unsigned int gj = col0 + j;
            const unsigned int gk = k0 + 4u * kw;
            unsigned int p = 0;
            if (gj < n) {
#pragma unroll
                for (int t = 0; t < 4; ++t) {
                    if (gk + t < k) {
                        p |= byte_of(b[(unsigned long long)(gk + t) * n + gj], 8 * t);
                    }
                }
            }
            Bs[kw][j] = (int)p;
        }
        __syncthreads();

#pragma unroll
        for (int kw = 0; kw < KW; ++kw) {
            int af[TM];
            int bf[TN];
#pragma unroll
            for (int i = 0; i < TM; ++i) {
                af[i] = As[ty + 16 * i][kw];
            }
#pragma unroll
            for (int j = 0; j < TN; ++j) {
                bf[j] = Bs[kw][tx + 16 * j];
            }
#pragma unroll
            for (int i = 0; i < TM; ++i) {
#pragma unroll
                for (int j = 0; j < TN; ++j) {
                    acc[i][j] = __dp4a(af[i], bf[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < TM; ++i) {
        const unsigned int gr = row0 + ty + 16 * i;
        if (gr < m) {
#pragma unroll
            for (int j = 0; j < TN; ++j) {
                const unsigned int gj = col0 + tx + 16 * j;
                if (gj < n) {
                    c[(unsigned long long)gr * n + gj] = acc[i][j];
                }
            }
        }
    }
}
