"""Run copy snippets in an interpreter where ``import dlnotes`` fails.

Usage: ``python tests/_snippet_runner.py IN OUT``. ``IN`` is a pickle of
``{"module.function": source}``; for each snippet this executes it as a module
of its own, runs its doctest, and calls it on the valid cases of
``tests/cases`` on NumPy, torch and array-api-strict. ``OUT`` receives
``{name: {"error", "doctests", "failed", "doctest_output", "results"}}``, with
``results[(backend, i)]`` the call's result as NumPy values (or an error text).
"""

from __future__ import annotations

import doctest
import io
import pickle
import sys
import traceback
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.cases import call_on, registry, to_plain

BACKENDS = ("numpy", "torch", "array_api_strict")


def main(source_path: str, out_path: str) -> None:
    with open(source_path, "rb") as f:
        sources = pickle.load(f)
    modules: dict[str, types.ModuleType] = {}
    out: dict[str, dict] = {}
    for name, source in sources.items():
        module = types.ModuleType("snippet_" + name.replace(".", "_"))
        entry = {"error": None, "doctests": 0, "failed": 0, "doctest_output": "", "results": {}}
        out[name] = entry
        try:
            sys.modules[module.__name__] = module
            exec(compile(source, f"<snippet {name}>", "exec"), module.__dict__)
        except Exception:
            entry["error"] = traceback.format_exc()
            continue
        modules[name] = module
        report = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=0)
        for test in doctest.DocTestFinder().find(module, module.__name__):
            runner.run(test, out=report.write)
        entry["doctests"], entry["failed"] = runner.tries, runner.failures
        entry["doctest_output"] = report.getvalue()

    def resolve(ref: str):
        return getattr(modules[ref], ref.split(".")[1])

    cases = registry()
    for name, module in modules.items():
        fn = getattr(module, name.split(".")[1])
        for backend in BACKENDS:
            try:
                __import__(backend)
            except ImportError:
                continue
            for i, one in enumerate(cases.get(name, {}).get("cases", [])):
                try:
                    result = to_plain(call_on(fn, one, backend, resolve))
                except Exception:
                    result = "error: " + traceback.format_exc()
                out[name]["results"][(backend, i)] = result
    with open(out_path, "wb") as f:
        pickle.dump(out, f)


if __name__ == "__main__":
    sys.modules["dlnotes"] = None  # type: ignore[assignment]  # `import dlnotes` raises ImportError
    main(sys.argv[1], sys.argv[2])
