// proofwork row digests: out[32·i .. 32·i+32] = BLAKE3("proofwork/crow/v1" || row i of C as
// int32 little-endian bytes), bit-identical to the `blake3` crate (the full BLAKE3 chunk tree:
// 1024-byte chunks, chunk counters, parent nodes, ROOT on the last compression).
//
// One thread per row, hashing its row serially (simple rather than fast: the rows of a job
// are many, so the GPU is still filled for tall jobs; a warp-per-row version hashing chunks
// in parallel would help short, wide ones). Compiled at run time by NVRTC: builtin types only.

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

__constant__ unsigned char MSG_SCHEDULE[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

// "proofwork/crow/v1" (merkle::TAG_C_ROW).
__constant__ unsigned char TAG[TAG_LEN + 1] = {
    'p', 'r', 'o', 'o', 'f', 'w', 'o', 'r', 'k', '/', 'c', 'r', 'o', 'w', '/', 'v', '1', 0,
};

__device__ __forceinline__ unsigned int rotr32(unsigned int x, unsigned int r) {
    return (x >> r) | (x << (32u - r));
}

__device__ __forceinline__ void g(unsigned int* s, int a, int b, int c, int d,
                                  unsigned int x, unsigned int y) {
    s[a] = s[a] + s[b] + x;
    s[d] = rotr32(s[d] ^ s[a], 16);
    s[c] = s[c] + s[d];
    s[b] = rotr32(s[b] ^ s[c], 12);
    s[a] = s[a] + s[b] + y;
    s[d] = rotr32(s[d] ^ s[a], 8);
    s[c] = s[c] + s[d];
    s[b] = rotr32(s[b] ^ s[c], 7);
}

// The BLAKE3 compression function; writes the first 8 output words (a chaining value, or
// the first 32 bytes of root output) to out.
__device__ void compress(const unsigned int cv[8], const unsigned int m[16],
                         unsigned long long counter, unsigned int block_len,
                         unsigned int flags, unsigned int out[8]) {
    unsigned int s[16];
    for (int i = 0; i < 8; ++i) {
        s[i] = cv[i];
    }
    s[8] = IV[0];
    s[9] = IV[1];
    s[10] = IV[2];
    s[11] = IV[3];
    s[12] = (unsigned int)counter;
    s[13] = (unsigned int)(counter >> 32);
    s[14] = block_len;
    s[15] = flags;
    for (int r = 0; r < 7; ++r) {
        const unsigned char* sc = MSG_SCHEDULE[r];
        g(s, 0, 4, 8, 12, m[sc[0]], m[sc[1]]);
        g(s, 1, 5, 9, 13, m[sc[2]], m[sc[3]]);
        g(s, 2, 6, 10, 14, m[sc[4]], m[sc[5]]);
        g(s, 3, 7, 11, 15, m[sc[6]], m[sc[7]]);
        g(s, 0, 5, 10, 15, m[sc[8]], m[sc[9]]);
        g(s, 1, 6, 11, 12, m[sc[10]], m[sc[11]]);
        g(s, 2, 7, 8, 13, m[sc[12]], m[sc[13]]);
        g(s, 3, 4, 9, 14, m[sc[14]], m[sc[15]]);
    }
    for (int i = 0; i < 8; ++i) {
        out[i] = s[i] ^ s[i + 8];
    }
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

extern "C" __global__ void row_digests_i32(const int* __restrict__ c, unsigned int m,
                                           unsigned int n, unsigned char* __restrict__ out)
{
    const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m) {
        return;
    }
    const int* row = c + (unsigned long long)i * n;
    const unsigned long long len = TAG_LEN + 4ull * n;
    const unsigned long long chunks = (len + CHUNK_LEN - 1ull) / CHUNK_LEN;

    unsigned int stack[MAX_STACK][8];
    int sp = 0;
    unsigned int cv[8];
    unsigned int words[16];

    // Every chunk but the last: its chaining value goes onto the stack, merging completed
    // subtrees (the BLAKE3 reference `add_chunk_chaining_value`).
    for (unsigned long long ch = 0; ch + 1ull < chunks; ++ch) {
        for (int t = 0; t < 8; ++t) {
            cv[t] = IV[t];
        }
        for (unsigned int blk = 0; blk < 16u; ++blk) {
            load_block(row, len, ch * CHUNK_LEN + blk * BLOCK_LEN, words);
            const unsigned int flags =
                (blk == 0u ? CHUNK_START : 0u) | (blk == 15u ? CHUNK_END : 0u);
            compress(cv, words, ch, BLOCK_LEN, flags, cv);
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
    unsigned char* dst = out + 32ull * i;
    for (int t = 0; t < 8; ++t) {
        dst[4 * t + 0] = (unsigned char)(result[t]);
        dst[4 * t + 1] = (unsigned char)(result[t] >> 8);
        dst[4 * t + 2] = (unsigned char)(result[t] >> 16);
        dst[4 * t + 3] = (unsigned char)(result[t] >> 24);
    }
}
