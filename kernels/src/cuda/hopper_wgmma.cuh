// Shared by the Hopper GEMM kernels (gemm_i8_wgmma.cu, gemm_i8_tma.cu; prepended to each
// source by the host): the wgmma instruction on int8, its fences and waits, and the shared-
// memory matrix descriptor for K-major tiles with the 128-byte swizzle (the layout, the
// descriptor fields and the accumulator layout are described in gemm_i8_wgmma.cu).

// Descriptor bits above the start address: LBO 16 bytes (encoded 1), SBO 1024 bytes (64),
// 128-byte swizzle (mode 1 in bits 62..63).
#define WG_DESC_HI ((1ull << 16) | (64ull << 32) | (1ull << 62))

__device__ __forceinline__ void wgmma_fence() {
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}

__device__ __forceinline__ void wgmma_commit() {
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}

template <int N>
__device__ __forceinline__ void wgmma_wait() {
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}

// Pins the accumulators in place around wgmma waits (no code motion across this point).
__device__ __forceinline__ void wg_fence_acc(int (&d)[128]) {
#pragma unroll
    for (int i = 0; i < 128; ++i) {
        asm volatile("" : "+r"(d[i])::"memory");
    }
}

__device__ __forceinline__ unsigned long long wg_desc(unsigned int smem_addr) {
    return WG_DESC_HI | (unsigned long long)((smem_addr & 0x3FFFFu) >> 4);
}

// D += A·B over 32 bytes of K (scale-d = 1: accumulate).
__device__ __forceinline__ void wgmma_m64n256k32(int (&d)[128], unsigned long long da,
                                                 unsigned long long db) {
    asm volatile(
        "{\n"
        ".reg .pred p;\n"
        "setp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k32.s32.s8.s8 {"
        "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, "
        "%19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, "
        "%36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, "
        "%53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, %64, %65, %66, %67, %68, %69, "
        "%70, %71, %72, %73, %74, %75, %76, %77, %78, %79, %80, %81, %82, %83, %84, %85, %86, "
        "%87, %88, %89, %90, %91, %92, %93, %94, %95, %96, %97, %98, %99, %100, %101, %102, "
        "%103, %104, %105, %106, %107, %108, %109, %110, %111, %112, %113, %114, %115, %116, "
        "%117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127"
        "}, %128, %129, p;\n"
        "}\n"
        : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3]), "+r"(d[4]), "+r"(d[5]), "+r"(d[6]),
          "+r"(d[7]), "+r"(d[8]), "+r"(d[9]), "+r"(d[10]), "+r"(d[11]), "+r"(d[12]),
          "+r"(d[13]), "+r"(d[14]), "+r"(d[15]), "+r"(d[16]), "+r"(d[17]), "+r"(d[18]),
          "+r"(d[19]), "+r"(d[20]), "+r"(d[21]), "+r"(d[22]), "+r"(d[23]), "+r"(d[24]),
          "+r"(d[25]), "+r"(d[26]), "+r"(d[27]), "+r"(d[28]), "+r"(d[29]), "+r"(d[30]),
          "+r"(d[31]), "+r"(d[32]), "+r"(d[33]), "+r"(d[34]), "+r"(d[35]), "+r"(d[36]),
          "+r"(d[37]), "+r"(d[38]), "+r"(d[39]), "+r"(d[40]), "+r"(d[41]), "+r"(d[42]),
          "+r"(d[43]), "+r"(d[44]), "+r"(d[45]), "+r"(d[46]), "+r"(d[47]), "+r"(d[48]),
          "+r"(d[49]), "+r"(d[50]), "+r"(d[51]), "+r"(d[52]), "+r"(d[53]), "+r"(d[54]),
          "+r"(d[55]), "+r"(d[56]), "+r"(d[57]), "+r"(d[58]), "+r"(d[59]), "+r"(d[60]),
          "+r"(d[61]), "+r"(d[62]), "+r"(d[63]), "+r"(d[64]), "+r"(d[65]), "+r"(d[66]),
          "+r"(d[67]), "+r"(d[68]), "+r"(d[69]), "+r"(d[70]), "+r"(d[71]), "+r"(d[72]),
          "+r"(d[73]), "+r"(d[74]), "+r"(d[75]), "+r"(d[76]), "+r"(d[77]), "+r"(d[78]),
          "+r"(d[79]), "+r"(d[80]), "+r"(d[81]), "+r"(d[82]), "+r"(d[83]), "+r"(d[84]),
          "+r"(d[85]), "+r"(d[86]), "+r"(d[87]), "+r"(d[88]), "+r"(d[89]), "+r"(d[90]),
          "+r"(d[91]), "+r"(d[92]), "+r"(d[93]), "+r"(d[94]), "+r"(d[95]), "+r"(d[96]),
          "+r"(d[97]), "+r"(d[98]), "+r"(d[99]), "+r"(d[100]), "+r"(d[101]), "+r"(d[102]),
          "+r"(d[103]), "+r"(d[104]), "+r"(d[105]), "+r"(d[106]), "+r"(d[107]), "+r"(d[108]),
          "+r"(d[109]), "+r"(d[110]), "+r"(d[111]), "+r"(d[112]), "+r"(d[113]), "+r"(d[114]),
          "+r"(d[115]), "+r"(d[116]), "+r"(d[117]), "+r"(d[118]), "+r"(d[119]), "+r"(d[120]),
          "+r"(d[121]), "+r"(d[122]), "+r"(d[123]), "+r"(d[124]), "+r"(d[125]), "+r"(d[126]),
          "+r"(d[127])
        : "l"(da), "l"(db), "r"(1));
}

// One 128-byte K stage: four m64n256k32 wgmmas from the swizzled tiles at descriptors da / db
// (+32 bytes of K per step: +2 in the start-address field, address >> 4), committed as one
// group; returns once the group before it has completed, so the stage that group read may be
// refilled.
__device__ __forceinline__ void wg_mma_stage_k128(int (&acc)[128], unsigned long long da,
                                                  unsigned long long db) {
    wg_fence_acc(acc);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < 4; ++kk) {
        wgmma_m64n256k32(acc, da + 2ull * kk, db + 2ull * kk);
    }
    wgmma_commit();
    wgmma_wait<1>();
    wg_fence_acc(acc);
}

// Stores a warpgroup's 64×256 accumulator tile whose top-left element is C[row0][col0]
// (`t` = thread index in the warpgroup, 0..127), bounds-checked against m and n; pairs of
// columns go out as one 8-byte store when n is even.
__device__ __forceinline__ void wg_store_acc(int* __restrict__ c, const int (&acc)[128],
                                             unsigned int m, unsigned int n,
                                             unsigned int row0, unsigned int col0,
                                             unsigned int t) {
    const unsigned int q = t >> 5;
    const unsigned int l = t & 31u;
    const unsigned int rbase = row0 + 16u * q + (l >> 2);
    const unsigned int cbase = col0 + 2u * (l & 3u);
    const bool pairs = (n & 1u) == 0u;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        const unsigned int gr = rbase + 8u * h;
        if (gr < m) {
            int* crow = c + (unsigned long long)gr * n;
#pragma unroll
            for (int i = 0; i < 32; ++i) {
                const unsigned int gc = cbase + 8u * i;
                const int v0 = acc[4 * i + 2 * h];
                const int v1 = acc[4 * i + 2 * h + 1];
                if (pairs && gc + 1u < n) {
                    *reinterpret_cast<int2*>(crow + gc) = make_int2(v0, v1);
                } else {
                    if (gc < n) {
                        crow[gc] = v0;
                    }
                    if (gc + 1u < n) {
                        crow[gc + 1u] = v1;
                    }
                }
            }
        }
    }
}
