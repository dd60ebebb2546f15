// Just enough of CUDA C++ for kernels that use no block barriers and no inline PTX
// (row_digests.cu) to compile as ordinary C++, so their logic can be checked on the CPU:
// every launch becomes a loop over the grid, one "thread" at a time. Kernels that need
// their warp in lockstep (`row_merge_cvs`) compile but are not launched: the harness runs
// their per-lane step (`merge_pair`) in lane order instead. Semantics
// follow the CUDA C++ Programming Guide for each intrinsic below.
#pragma once
#include <cstdint>

#define __global__
#define __device__
#define __forceinline__ inline
#define __constant__ static const
#define __restrict__ __restrict
#define __shared__ static

static inline void __syncwarp() {}

struct uint4 {
    unsigned int x, y, z, w;
};

struct EmuDim3 {
    unsigned int x = 0, y = 0, z = 0;
};

// The launch state of the "thread" running now (set by the harness before each call).
static EmuDim3 threadIdx, blockIdx, blockDim;

// __funnelshift_r(lo, hi, s): the 64-bit value hi:lo shifted right by s & 31, low 32 bits.
static inline unsigned int __funnelshift_r(unsigned int lo, unsigned int hi, unsigned int s) {
    const unsigned long long v = (static_cast<unsigned long long>(hi) << 32) | lo;
    return static_cast<unsigned int>(v >> (s & 31u));
}

// __funnelshift_l(lo, hi, s): hi:lo shifted left by s & 31, high 32 bits.
static inline unsigned int __funnelshift_l(unsigned int lo, unsigned int hi, unsigned int s) {
    const unsigned long long v = (static_cast<unsigned long long>(hi) << 32) | lo;
    return static_cast<unsigned int>((v << (s & 31u)) >> 32);
}

// A read through the read-only data cache is a plain read.
template <class T>
static inline T __ldg(const T* p) {
    return *p;
}
