// proofwork row digests: out[32·i .. 32·i+32] = BLAKE3("proofwork/crow/v1" || row i of C as
// int32 little-endian bytes), bit-identical to the `blake3` crate (the full BLAKE3 chunk tree:
// 1024-byte chunks, chunk counters, parent nodes, ROOT on the last compression).
//
// Two launches (the fast path): `row_chunk_cvs` runs one thread per (row, chunk) for every
// chunk of a row but the last and writes the chunk chaining values; `row_digest_roots` runs
// one thread per row, hashes the last chunk and merges the chaining values into the root. A
// 4096-wide row is 17 chunks, so a 4096-row job gives the GPU 65 536 independent chunk
// hashes instead of 4 096 serial row hashes. `row_digests_i32` (one thread hashing a whole
// row) is the simple version, kept as a cross-check of the fast path.
//
// The compression function keeps the state and message in registers: the message is
// permuted between rounds with constant indices (a schedule table indexed at run time would
// push the message to local memory). Compiled at run time by NVRTC: builtin types only.

#define CHUNK_LEN 1024ull
#define BLOCK_LEN 64u
#define CHUNK_START 1u
#define CHUNK_END 2u
#define PARENT 4u
#define ROOT 8u
#define TAG_LEN 17u
#define MAX_STACK 54

__constant__ unsigned int IV[8] = {
    0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au,
    0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u,
};

// "proofwork/crow/v1" (merkle::TAG_C_ROW).
__constant__ unsigned char TAG[TAG_LEN + 1] = {
    'p', 'r', 'o', 'o', 'f', 'w', 'o', 'r', 'k', '/', 'c', 'r', 'o', 'w', '/', 'v', '1', 0,
};

#define IV0 0x6A09E667u
#define IV1 0xBB67AE85u
#define IV2 0x3C6EF372u
#define IV3 0xA54FF53Au

#define ROTR(x, r) __funnelshift_r((x), (x), (r))
#define G(a, b, c, d, x, y)         \
    a = a + b + (x);                \
    d = ROTR(d ^ a, 16);            \
    c = c + d;                      \
    b = ROTR(b ^ c, 12);            \
    a = a + b + (y);                \
    d = ROTR(d ^ a, 8);             \
    c = c + d;                      \
    b = ROTR(b ^ c, 7);

// The BLAKE3 compression function; writes the first 8 output words (a chaining value, or
// the first 32 bytes of root output) to out (which may alias cv).
__device__ __forceinline__ void compress(const unsigned int cv[8], const unsigned int m[16],
                                         unsigned long long counter, unsigned int block_len,
                                         unsigned int flags, unsigned int out[8]) {
    unsigned int s0 = cv[0], s1 = cv[1], s2 = cv[2], s3 = cv[3];
    unsigned int s4 = cv[4], s5 = cv[5], s6 = cv[6], s7 = cv[7];
    unsigned int s8 = IV0, s9 = IV1, s10 = IV2, s11 = IV3;
    unsigned int s12 = (unsigned int)counter, s13 = (unsigned int)(counter >> 32);
    unsigned int s14 = block_len, s15 = flags;
    unsigned int m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5];
    unsigned int m6 = m[6], m7 = m[7], m8 = m[8], m9 = m[9], m10 = m[10], m11 = m[11];
    unsigned int m12 = m[12], m13 = m[13], m14 = m[14], m15 = m[15];
#pragma unroll
    for (int r = 0; r < 7; ++r) {
        G(s0, s4, s8, s12, m0, m1);
        G(s1, s5, s9, s13, m2, m3);
        G(s2, s6, s10, s14, m4, m5);
        G(s3, s7, s11, s15, m6, m7);
        G(s0, s5, s10, s15, m8, m9);
        G(s1, s6, s11, s12, m10, m11);
        G(s2, s7, s8, s13, m12, m13);
        G(s3, s4, s9, s14, m14, m15);
        // m'[i] = m[P[i]], P = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8}.
        const unsigned int t0 = m2, t1 = m6, t2 = m3, t3 = m10, t4 = m7, t5 = m0, t6 = m4;
        const unsigned int t7 = m13, t8 = m1, t9 = m11, t10 = m12, t11 = m5, t12 = m9;
        const unsigned int t13 = m14, t14 = m15, t15 = m8;
        m0 = t0; m1 = t1; m2 = t2; m3 = t3; m4 = t4; m5 = t5; m6 = t6; m7 = t7;
        m8 = t8; m9 = t9; m10 = t10; m11 = t11; m12 = t12; m13 = t13; m14 = t14; m15 = t15;
    }
    out[0] = s0 ^ s8;
    out[1] = s1 ^ s9;
    out[2] = s2 ^ s10;
    out[3] = s3 ^ s11;
    out[4] = s4 ^ s12;
    out[5] = s5 ^ s13;
    out[6] = s6 ^ s14;
    out[7] = s7 ^ s15;
}

// Byte q of the message TAG || row (as LE bytes); zero past the end (BLAKE3 zero-pads the
// last block and records its true length separately).
__device__ __forceinline__ unsigned int msg_byte(const int* row, unsigned long long len,
                                                 unsigned long long q) {
    if (q < TAG_LEN) {
        return TAG[q];
    }
    if (q >= len) {
        return 0u;
    }
    const unsigned long long off = q - TAG_LEN;
    return (((unsigned int)row[off >> 2]) >> (8u * (unsigned int)(off & 3ull))) & 0xffu;
}

// The 16 message words of the block starting at byte p (p a multiple of 64).
__device__ void load_block(const int* row, unsigned long long len, unsigned long long p,
                           unsigned int m[16]) {
    for (int w = 0; w < 16; ++w) {
        const unsigned long long q = p + 4ull * w;
        if (q >= 20ull && q + 4ull <= len) {
            // Message bytes q..q+3 are row bytes q-17..q-14: byte 3 of row[j] and bytes
            // 0..2 of row[j+1], j = (q-20)/4 (TAG_LEN = 17 ≡ 1 mod 4).
            const unsigned long long j = (q - 20ull) >> 2;
            m[w] = (((unsigned int)row[j]) >> 24) | (((unsigned int)row[j + 1]) << 8);
        } else {
            m[w] = msg_byte(row, len, q) | (msg_byte(row, len, q + 1) << 8) |
                   (msg_byte(row, len, q + 2) << 16) | (msg_byte(row, len, q + 3) << 24);
        }
    }
}

// Block p (p a multiple of 64, p >= 64) of a FULL chunk comes from five aligned 16-byte loads:
// message bytes p..p+63 are row bytes p-17..p+46, which lie inside the aligned span
// [p-32, p+48) of the row (in bounds: a full chunk is followed by at least one more message
// byte). Needs 16-byte aligned rows (n % 4 == 0). `load_span` issues the loads, `span_words`
// assembles the message: word w = row bytes p-17+4w .. p-14+4w = byte 3 of span word 3+w and
// bytes 0..2 of span word 4+w. Split so a chunk can load block b+1 while compressing block b.
__device__ __forceinline__ void load_span(const int* row, unsigned long long p, uint4 span[5]) {
    const uint4* src = reinterpret_cast<const uint4*>(
        reinterpret_cast<const unsigned char*>(row) + (p - 32ull));
#pragma unroll
    for (int i = 0; i < 5; ++i) {
        span[i] = __ldg(src + i);
    }
}

__device__ __forceinline__ void span_words(const uint4 span[5], unsigned int m[16]) {
    unsigned int u[20];
#pragma unroll
    for (int i = 0; i < 5; ++i) {
        u[4 * i + 0] = span[i].x;
        u[4 * i + 1] = span[i].y;
        u[4 * i + 2] = span[i].z;
        u[4 * i + 3] = span[i].w;
    }
#pragma unroll
    for (int w = 0; w < 16; ++w) {
        m[w] = __funnelshift_r(u[3 + w], u[4 + w], 24);
    }
}

// The chaining value of full chunk `ch` of a row (every chunk but the last is full). With
// aligned rows, the next block's loads are in flight while this block is compressed (the
// loads of a block otherwise stall its thread for a memory round trip, 16 times a chunk, and
// a 4096-row job has only about four warps per scheduler to cover for it).
__device__ __forceinline__ void chunk_cv(const int* row, unsigned int n, unsigned long long len,
                                         unsigned long long ch, unsigned int cv[8]) {
    unsigned int words[16];
    const bool vec = (n & 3u) == 0u;
#pragma unroll
    for (int t = 0; t < 8; ++t) {
        cv[t] = IV[t];
    }
    const unsigned long long base = ch * CHUNK_LEN;
    // Block 0 of chunk 0 holds the tag: byte by byte.
    const unsigned int first_vec = base == 0ull ? 1u : 0u;
    uint4 span[5];
    if (vec) {
        load_span(row, base + first_vec * BLOCK_LEN, span);
    }
    for (unsigned int blk = 0; blk < 16u; ++blk) {
        const unsigned long long p = base + blk * BLOCK_LEN;
        if (vec && blk >= first_vec) {
            span_words(span, words);
            if (blk + 1u < 16u) {
                load_span(row, p + BLOCK_LEN, span);
            }
        } else {
            load_block(row, len, p, words);
        }
        const unsigned int flags = (blk == 0u ? CHUNK_START : 0u) | (blk == 15u ? CHUNK_END : 0u);
        compress(cv, words, ch, BLOCK_LEN, flags, cv);
    }
}

// The digest of one row. The chaining values of its full chunks come from `cvs` (written by
// `row_chunk_cvs`, `chunks - 1` of them) when it is not null, else they are computed here.
__device__ void row_digest(const int* row, unsigned int n, const unsigned int* cvs,
                           unsigned char* dst) {
    const unsigned long long len = TAG_LEN + 4ull * n;
    const unsigned long long chunks = (len + CHUNK_LEN - 1ull) / CHUNK_LEN;

    unsigned int stack[MAX_STACK][8];
    int sp = 0;
    unsigned int cv[8];
    unsigned int words[16];

    // Every chunk but the last: its chaining value goes onto the stack, merging completed
    // subtrees (the BLAKE3 reference `add_chunk_chaining_value`).
    for (unsigned long long ch = 0; ch + 1ull < chunks; ++ch) {
        if (cvs != 0) {
            for (int t = 0; t < 8; ++t) {
                cv[t] = cvs[8ull * ch + t];
            }
        } else {
            chunk_cv(row, n, len, ch, cv);
        }
        unsigned long long total = ch + 1ull;
        while ((total & 1ull) == 0ull) {
            --sp;
            for (int t = 0; t < 8; ++t) {
                words[t] = stack[sp][t];
                words[t + 8] = cv[t];
            }
            compress(IV, words, 0ull, BLOCK_LEN, PARENT, cv);
            total >>= 1;
        }
        for (int t = 0; t < 8; ++t) {
            stack[sp][t] = cv[t];
        }
        ++sp;
    }

    // The last chunk (1..=1024 bytes; the message is never empty because of the tag).
    const unsigned long long ch = chunks - 1ull;
    const unsigned long long start = ch * CHUNK_LEN;
    const unsigned long long rem = len - start;
    const unsigned int blocks = (unsigned int)((rem + BLOCK_LEN - 1ull) / BLOCK_LEN);
    for (int t = 0; t < 8; ++t) {
        cv[t] = IV[t];
    }
    for (unsigned int blk = 0; blk + 1u < blocks; ++blk) {
        load_block(row, len, start + blk * BLOCK_LEN, words);
        compress(cv, words, ch, BLOCK_LEN, blk == 0u ? CHUNK_START : 0u, cv);
    }
    load_block(row, len, start + (blocks - 1u) * BLOCK_LEN, words);
    const unsigned int last_len = (unsigned int)(rem - (unsigned long long)(blocks - 1u) * BLOCK_LEN);
    const unsigned int last_flags = (blocks == 1u ? CHUNK_START : 0u) | CHUNK_END;

    unsigned int result[8];
    if (sp == 0) {
        // A single chunk is the root; root output uses output-block counter 0 (== ch here).
        compress(cv, words, 0ull, last_len, last_flags | ROOT, result);
    } else {
        compress(cv, words, ch, last_len, last_flags, result);
        while (sp > 0) {
            --sp;
            for (int t = 0; t < 8; ++t) {
                words[t] = stack[sp][t];
                words[t + 8] = result[t];
            }
            compress(IV, words, 0ull, BLOCK_LEN, sp == 0 ? (PARENT | ROOT) : PARENT, result);
        }
    }
    for (int t = 0; t < 8; ++t) {
        dst[4 * t + 0] = (unsigned char)(result[t]);
        dst[4 * t + 1] = (unsigned char)(result[t] >> 8);
        dst[4 * t + 2] = (unsigned char)(result[t] >> 16);
        dst[4 * t + 3] = (unsigned char)(result[t] >> 24);
    }
}

// One thread per row, hashing the whole row (the simple version).
extern "C" __global__ void row_digests_i32(const int* __restrict__ c, unsigned int m,
                                           unsigned int n, unsigned char* __restrict__ out)
{
    const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m) {
        return;
    }
    row_digest(c + (unsigned long long)i * n, n, 0, out + 32ull * i);
}

// Fast path, launch 1: one thread per (row i, full chunk ch), `full = chunks - 1` full chunks
// per row; writes cvs[8·(i·full + ch) ..].
extern "C" __global__ void row_chunk_cvs(const int* __restrict__ c, unsigned int m,
                                         unsigned int n, unsigned int full,
                                         unsigned int* __restrict__ cvs)
{
    const unsigned long long idx = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (full == 0u || idx >= (unsigned long long)m * full) {
        return;
    }
    const unsigned long long i = idx / full;
    const unsigned long long ch = idx % full;
    unsigned int cv[8];
    chunk_cv(c + i * n, n, TAG_LEN + 4ull * n, ch, cv);
#pragma unroll
    for (int t = 0; t < 8; ++t) {
        cvs[8ull * idx + t] = cv[t];
    }
}

// Fast path, launch 2: one thread per row: the last chunk, the merges and the root.
extern "C" __global__ void row_digest_roots(const int* __restrict__ c, unsigned int m,
                                            unsigned int n, unsigned int full,
                                            const unsigned int* __restrict__ cvs,
                                            unsigned char* __restrict__ out)
{
    const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m) {
        return;
    }
    row_digest(c + (unsigned long long)i * n, n, cvs + 8ull * full * i, out + 32ull * i);
}
