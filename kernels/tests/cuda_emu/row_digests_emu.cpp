// Runs the row-digest kernels of ../../src/cuda/row_digests.cu on the CPU through shim.h.
// Usage: row_digests_emu M N < matrix (M·N int32, little-endian) > digests
// Writes 32·M bytes of the one-thread-per-row kernel, then 32·M bytes of the chunk-parallel
// path (`row_chunk_cvs` launched with the grid the Rust host uses, kernels/src/cuda/mod.rs,
// then the merge of `row_merge_cvs` level by level, its lanes in order; rows of one chunk
// and rows wider than MERGE_MAX chunks take the one-thread-per-row kernel, as on the host).
#include "shim.h"

#include "../../src/cuda/blake3_keyed.cuh"
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
    const unsigned int chunks = (n + 255u) / 256u;
    if (chunks < 2 || chunks > MERGE_MAX) {
        launch(m, [&] { row_digests_i32(c.data(), m, n, fast.data()); });
    } else {
        std::vector<unsigned int> cvs(8ull * m * chunks);
        launch(static_cast<unsigned long long>(m) * chunks,
               [&] { row_chunk_cvs(c.data(), m, n, chunks, cvs.data()); });
        for (unsigned int row = 0; row < m; ++row) {
            std::vector<unsigned int> nd(cvs.begin() + 8ull * chunks * row,
                                         cvs.begin() + 8ull * chunks * (row + 1));
            unsigned int cnt = chunks;
            while (cnt > 1) {
                const unsigned int pairs = cnt >> 1;
                for (unsigned int i = 0; i < pairs; ++i) {
                    unsigned int p[8];
                    merge_pair(nd.data(), i, cnt, p);
                    for (int t = 0; t < 8; ++t) {
                        nd[8 * i + t] = p[t];
                    }
                }
                if (cnt & 1u) {
                    for (int t = 0; t < 8; ++t) {
                        nd[8 * pairs + t] = nd[8 * (cnt - 1) + t];
                    }
                }
                cnt = pairs + (cnt & 1u);
            }
            store_digest(nd.data(), fast.data() + 32ull * row);
        }
    }
    std::fwrite(serial.data(), 1, serial.size(), stdout);
    std::fwrite(fast.data(), 1, fast.size(), stdout);
    return 0;
}
