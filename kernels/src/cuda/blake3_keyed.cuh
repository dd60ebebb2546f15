// BLAKE3 in keyed mode, as the row digests of C use it (merkle::leaf_hash_i32, ADR-007): the
// compression function, the flags and the key. Prepended by the host to row_digests.cu and
// to the hashing build of gemm_i8_tma.cu (TM_HASH), so both hash exactly alike.
//
// Keyed mode differs from plain BLAKE3 only in the chaining value every chunk and every
// parent starts from (the key's words instead of the IV) and in the KEYED_HASH flag on every
// compression. A row of n int32 is 4n bytes with nothing in front, so BLAKE3 chunk j of a row
// is exactly its columns 256j .. 256j + 255: one 256-column output tile of the GEMM.
//
// The state and message stay in registers: the message is permuted between rounds with
// constant indices (a schedule table indexed at run time would push it to local memory).
// Builtin types only (NVRTC; the CPU emulator compiles this as C++ through shim.h).

#define B3_CHUNK_LEN 1024u
#define B3_BLOCK_LEN 64u
#define B3_CHUNK_START 1u
#define B3_CHUNK_END 2u
#define B3_PARENT 4u
#define B3_ROOT 8u
#define B3_KEYED 16u

#define B3_IV0 0x6A09E667u
#define B3_IV1 0xBB67AE85u
#define B3_IV2 0x3C6EF372u
#define B3_IV3 0xA54FF53Au

// merkle::C_ROW_KEY = BLAKE3("proofwork/crow/v2") as little-endian words (pinned against the
// Rust constant by the test `blake3_key_words_match_c_row_key`).
#define B3_KEY0 0x3194589Cu
#define B3_KEY1 0x46B4CB39u
#define B3_KEY2 0x3B194D13u
#define B3_KEY3 0xD7ED3B62u
#define B3_KEY4 0x335BF499u
#define B3_KEY5 0x9E57F598u
#define B3_KEY6 0x0683713Cu
#define B3_KEY7 0xCBCA3FCCu

__device__ __forceinline__ void b3_key(unsigned int cv[8]) {
    cv[0] = B3_KEY0;
    cv[1] = B3_KEY1;
    cv[2] = B3_KEY2;
    cv[3] = B3_KEY3;
    cv[4] = B3_KEY4;
    cv[5] = B3_KEY5;
    cv[6] = B3_KEY6;
    cv[7] = B3_KEY7;
}

#define B3_ROTR(x, r) __funnelshift_r((x), (x), (r))
#define B3_G(a, b, c, d, x, y)      \
    a = a + b + (x);                \
    d = B3_ROTR(d ^ a, 16);         \
    c = c + d;                      \
    b = B3_ROTR(b ^ c, 12);         \
    a = a + b + (y);                \
    d = B3_ROTR(d ^ a, 8);          \
    c = c + d;                      \
    b = B3_ROTR(b ^ c, 7);

// The BLAKE3 compression function; writes the first 8 output words (a chaining value, or
// the first 32 bytes of root output) to out (which may alias cv).
__device__ __forceinline__ void b3_compress(const unsigned int cv[8], const unsigned int m[16],
                                            unsigned long long counter, unsigned int block_len,
                                            unsigned int flags, unsigned int out[8]) {
    unsigned int s0 = cv[0], s1 = cv[1], s2 = cv[2], s3 = cv[3];
    unsigned int s4 = cv[4], s5 = cv[5], s6 = cv[6], s7 = cv[7];
    unsigned int s8 = B3_IV0, s9 = B3_IV1, s10 = B3_IV2, s11 = B3_IV3;
    unsigned int s12 = (unsigned int)counter, s13 = (unsigned int)(counter >> 32);
    unsigned int s14 = block_len, s15 = flags;
    unsigned int m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5];
    unsigned int m6 = m[6], m7 = m[7], m8 = m[8], m9 = m[9], m10 = m[10], m11 = m[11];
    unsigned int m12 = m[12], m13 = m[13], m14 = m[14], m15 = m[15];
#pragma unroll
    for (int r = 0; r < 7; ++r) {
        B3_G(s0, s4, s8, s12, m0, m1);
        B3_G(s1, s5, s9, s13, m2, m3);
        B3_G(s2, s6, s10, s14, m4, m5);
        B3_G(s3, s7, s11, s15, m6, m7);
        B3_G(s0, s5, s10, s15, m8, m9);
        B3_G(s1, s6, s11, s12, m10, m11);
        B3_G(s2, s7, s8, s13, m12, m13);
        B3_G(s3, s4, s9, s14, m14, m15);
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

// A parent node of the row's tree: the chaining values of its children, 16 words from
// `children` (left then right), compressed from the key.
__device__ __forceinline__ void b3_parent(const unsigned int* children, unsigned int flags,
                                          unsigned int out[8]) {
    unsigned int key[8];
    unsigned int words[16];
    b3_key(key);
    for (int t = 0; t < 16; ++t) {
        words[t] = children[t];
    }
    b3_compress(key, words, 0ull, B3_BLOCK_LEN, flags | B3_PARENT | B3_KEYED, out);
}
