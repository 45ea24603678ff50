#!/usr/bin/env bash
# The GPU checks in one command, for a machine with an NVIDIA GPU, CuPy and a CUDA
# torch (CONTRIBUTING.md, "On a GPU"): every test on the CuPy backend, then
# benchmarks/bench_gpu.py. Run from the project root:
#
#     make device-wheels                  # here: the packages such a machine may lack, in .whl/
#     bash benchmarks/device_check.sh     # there, with .whl/ beside it
#
# Logs and the benchmark's table (gpu.md) go to $OUT if it is set (the device tool's
# folder that comes back), else to /tmp/dlnotes-device. The exit status is the tests'
# or, if they passed, the benchmark's.
set -uo pipefail
out=${OUT:-/tmp/dlnotes-device}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if compgen -G ".whl/*.whl" >/dev/null; then # carried wheels, installed beside the machine's own
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/dlnotes-site .whl/*.whl || exit 1
    export PYTHONPATH="/tmp/dlnotes-site:$PYTHONPATH"
fi
{
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    python3 -c 'import array_api_compat, cupy, numpy, torch
print("cupy", cupy.__version__, "| torch", torch.__version__, "| numpy", numpy.__version__,
      "| array-api-compat", array_api_compat.__version__, "| GPUs", cupy.cuda.runtime.getDeviceCount())'
} 2>&1 | tee "$out/machine.txt"
# the tests of the xp fixture's "cupy" backend (and those named for CuPy): a reference
# library missing there (pycocotools, say) skips its tests with the reason, as in CI
timeout 360 python3 -m pytest -q -rs -k cupy -p no:cacheprovider tests 2>&1 | tee "$out/cupy-tests.log"
tests=$?
DLNOTES_BENCH_RESULTS="$out" timeout 180 python3 benchmarks/bench_gpu.py 2>&1 | tee "$out/bench-gpu.log"
bench=$?
exit $((tests ? tests : bench))
