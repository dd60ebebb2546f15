// Runs the row-digest kernels of ../../src/cuda/row_digests.cu on the CPU through shim.h.
// Usage: row_digests_emu M N < matrix (M·N int32, little-endian) > digests
// Writes 32·M bytes of the one-thread-per-row kernel, then 32·M bytes of the two-launch
// chunk-parallel path, launched with the grid the Rust host uses (kernels/src/cuda/mod.rs).
#include "shim.h"

#include "../../src/cuda/row_digests.cu"

#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s M N < matrix > digests\n", argv[0]);
        return 2;
    }
    const unsigned int m = static_cast<unsigned int>(std::strtoul(argv[1], nullptr, 10));
    const unsigned int n = static_cast<unsigned int>(std::strtoul(argv[2], nullptr, 10));
    std::vector<int> c(static_cast<size_t>(m) * n);
    if (std::fread(c.data(), sizeof(int), c.size(), stdin) != c.size()) {
        std::fprintf(stderr, "short input\n");
        return 1;
    }
    const unsigned int threads = 128;  // DIGEST_THREADS
    auto launch = [&](unsigned long long total, auto&& kernel) {
        blockDim.x = threads;
        for (unsigned long long t = 0; t < (total + threads - 1) / threads * threads; ++t) {
            blockIdx.x = static_cast<unsigned int>(t / threads);
            threadIdx.x = static_cast<unsigned int>(t % threads);
            kernel();
        }
    };
    std::vector<unsigned char> serial(32ull * m), fast(32ull * m);
    launch(m, [&] { row_digests_i32(c.data(), m, n, serial.data()); });
    const unsigned long long len = TAG_LEN + 4ull * n;
    const unsigned int full = static_cast<unsigned int>((len + CHUNK_LEN - 1) / CHUNK_LEN - 1);
    std::vector<unsigned int> cvs(8ull * m * (full > 0 ? full : 1));
    if (full > 0) {
        launch(static_cast<unsigned long long>(m) * full,
               [&] { row_chunk_cvs(c.data(), m, n, full, cvs.data()); });
    }
    launch(m, [&] { row_digest_roots(c.data(), m, n, full, cvs.data(), fast.data()); });
    std::fwrite(serial.data(), 1, serial.size(), stdout);
    std::fwrite(fast.data(), 1, fast.size(), stdout);
    return 0;
}
