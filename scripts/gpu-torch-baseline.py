"""Second opinion on the cuBLASLt int8 baseline: PyTorch's torch._int_mm (cuBLASLt underneath)
timed with CUDA events on the same shapes as `gpu_profile`. Used only on GPU hosts that have
PyTorch; the project does not depend on it."""
import sys

import torch

shapes = [(4096, 4096, 4096), (8192, 4096, 4096), (16384, 4096, 4096)]
iters = 20
for m, k, n in shapes:
    a = torch.randint(-128, 128, (m, k), dtype=torch.int8, device="cuda")
    bt = torch.randint(-128, 128, (n, k), dtype=torch.int8, device="cuda")
    b = bt.t()  # k×n, column-major: the TN layout cuBLASLt's int8 path wants
    for _ in range(3):
        c = torch._int_mm(a, b)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        c = torch._int_mm(a, b)
    end.record()
    torch.cuda.synchronize()
    ms = start.elapsed_time(end) / iters
    ref = a[:4].cpu().long() @ b.cpu().long()
    ok = torch.equal(ref, c[:4].cpu().long())
    print(f"torch._int_mm {m}x{k}x{n}: {ms:.4f} ms, {2*m*k*n/ms/1e9:.1f} TOPS, rows ok: {ok}")
sys.stdout.flush()
