"""Run every benchmark in this folder; each rewrites its table in results/.

python benchmarks/run_all.py            # all of them
python benchmarks/run_all.py coco nms   # those whose file name contains a word
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(words: list[str]) -> None:
    sys.path.insert(0, str(HERE))  # the benchmarks import _timing
    for script in sorted(HERE.glob("bench_*.py")):
        if words and not any(w in script.stem for w in words):
            continue
        print(f"== {script.name}", flush=True)
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
