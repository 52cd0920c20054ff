"""Mixed precision on the CPU: a ResNet-18 training step under bf16 and fp16 autocast against fp32, side by side in one run.

One step = forward, cross-entropy, backward and an SGD step of torchvision's ResNet-18 (`weights=None`) on a batch of
`--bs` random images of `--size`² pixels, in one process at the machine's thread count. Rounds alternate the three
precisions (order rotated every round); the printed ratios are the medians of per-round time(bf16)/time(fp32) and
time(fp16)/time(fp32). `--isa avx2` re-runs the measurement with PyTorch's and oneDNN's kernels capped at AVX2
(`ATEN_CPU_CAPABILITY=avx2`, `ONEDNN_MAX_CPU_ISA=AVX2`), as on a CPU without AVX-512 (the reference machine).
Usage: python bench/cpu_precision.py [--rounds 3] [--bs 16] [--size 128] [--isa native|avx2]
"""
import argparse, os, statistics, subprocess, sys, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=3); ap.add_argument('--bs', type=int, default=16)
    ap.add_argument('--size', type=int, default=128); ap.add_argument('--isa', default='native', choices=['native', 'avx2'])
    a = ap.parse_args()
    if a.isa == 'avx2' and os.environ.get('ATEN_CPU_CAPABILITY') != 'avx2':
        env = {**os.environ, 'ATEN_CPU_CAPABILITY': 'avx2', 'ONEDNN_MAX_CPU_ISA': 'AVX2'}
        sys.exit(subprocess.run([sys.executable, *sys.argv], env=env).returncode)
    import torch, torch.nn.functional as F
    from torchvision.models import resnet18
    from fastmtl.training import cpu_native_precision
    torch.manual_seed(0)
    model = resnet18(weights=None, num_classes=10)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x, y = torch.randn(a.bs, 3, a.size, a.size), torch.randint(0, 10, (a.bs,))
    def step(dtype):
        t = time.perf_counter()
        with torch.autocast('cpu', dtype=dtype, enabled=dtype is not None):
            loss = F.cross_entropy(model(x), y)
        loss.backward(); opt.step(); opt.zero_grad()
        return time.perf_counter() - t
    kinds = [None, torch.bfloat16, torch.float16]
    for k in kinds: step(k)   # warm-up
    times = {k: [] for k in kinds}
    for r in range(a.rounds):
        for k in kinds[r % 3:] + kinds[:r % 3]: times[k].append(step(k))
    ratio = lambda k: statistics.median(t/f for t, f in zip(times[k], times[None]))
    print(f"CPU capability {torch.backends.cpu.get_cpu_capability()} (isa={a.isa}), native: {cpu_native_precision()}, "
          f"{torch.get_num_threads()} threads, ResNet-18 step, batch {a.bs} of {a.size}x{a.size}")
    print(f"fp32 {statistics.median(times[None]):.3f} s/step | bf16 {statistics.median(times[torch.bfloat16]):.3f} s "
          f"({ratio(torch.bfloat16):.2f}x fp32) | fp16 {statistics.median(times[torch.float16]):.3f} s ({ratio(torch.float16):.2f}x fp32)")

if __name__ == '__main__': main()
