"""Copy snippets: any public function as one standalone file, made from the package source.

``snippet("losses.mse")`` (or ``python -m dlnotes copy losses.mse``) returns the
function's own source with everything it needs to run without dlnotes:

* the helpers it calls, inlined (recursively), without their decorators;
* the constants it reads, written out;
* imports from the standard library, NumPy and array-api-compat only;
* a short docstring: the summary, the slide ID, the formula and one doctest;
* a licence line.

The ``checked`` decorator is left out: a snippet computes the formula and
trusts its input (pass valid arrays; the package validates them for you).
What depends on the package's state in `dlnotes.backend` is replaced by its
standalone meaning: the default backend (``get_backend()``) is NumPy's
namespace, and a backend name (``resolve_backend``, ``array_namespace(xp=)``)
is looked up in array-api-compat.

Examples
--------
>>> text = snippet("optim.gd_step")
>>> "import dlnotes" in text
False
>>> text.splitlines()[0]
'# dlnotes.optim.gd_step, copied from dlnotes (MIT licence, (c) the dlnotes developers).'
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import re
import sys
import textwrap
import types
from typing import Any

__all__ = ["MODULES", "code_lines", "public_names", "snippet"]

#: The modules whose public functions have snippets, in the site's order.
MODULES = (
    "neuron",
    "activations",
    "losses",
    "optim",
    "regularization",
    "pooling",
    "conv",
    "data",
    "metrics",
    "detection",
    "coco",
    "datasets",
    "embeddings",
    "visualize",
    "cnn",
)

_ALLOWED_ROOTS = {"numpy", "array_api_compat"} | set(sys.stdlib_module_names)

# Standalone meaning of the backend pieces that depend on the package's state.
_STANDALONE = {
    "get_backend": '''
def get_backend():
    """The default namespace for plain Python input and created arrays: NumPy's."""
    return array_api_compat.numpy
''',
    "resolve_backend": '''
def resolve_backend(xp):
    """The array-API namespace for a name ("numpy", "torch", "cupy") or a module."""
    if not isinstance(xp, str):  # a namespace or a library module
        return array_api_compat.array_namespace(xp.asarray(0))
    return importlib.import_module(xp if xp == "array_api_strict" else f"array_api_compat.{xp}")
''',
}
_STANDALONE["array_namespace"] = '''
def array_namespace(*arrays, xp=None):
    """``xp`` if given, else the namespace of the array arguments (NumPy's for plain input)."""
    if xp is not None:
        return resolve_backend(xp)
    found = [a for a in arrays if array_api_compat.is_array_api_obj(a)]
    return array_api_compat.array_namespace(*found) if found else array_api_compat.numpy
'''
_STANDALONE_IMPORTS = {
    "get_backend": {"import array_api_compat", "import array_api_compat.numpy"},
    "array_namespace": {"import array_api_compat", "import array_api_compat.numpy"},
    "resolve_backend": {"import array_api_compat", "import importlib"},
}

_TITLE = (
    "# {name}, copied from dlnotes (MIT licence, (c) the dlnotes developers).\n"
    "# Standalone: needs only NumPy and array-api-compat. It trusts its input;\n"
    "# the package version validates it."
)

_LINK = re.compile(r"\[`([^`\]]+)`\]\[[\w.]+\]")


def public_names() -> list[str]:
    """Every public function as ``"module.name"``, the names `snippet` accepts.

    Examples
    --------
    >>> "losses.mse" in public_names()
    True
    """
    names = []
    for module_name in MODULES:
        try:
            module = importlib.import_module(f"dlnotes.{module_name}")
        except ImportError:  # a module still to come
            continue
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__ == module.__name__:  # not re-exports
                names.append(f"{module_name}.{name}")
    return names


def _resolve(name: str) -> tuple[types.ModuleType, Any]:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'losses.mse', got {name!r}")
    parts = name.removeprefix("dlnotes.").split(".")
    if len(parts) != 2 or f"{parts[0]}.{parts[1]}" not in public_names():
        raise ValueError(
            f"name must be a public function as 'module.function' (e.g. 'losses.mse'), "
            f"got {name!r}; see dlnotes.snippets.public_names()"
        )
    module = importlib.import_module(f"dlnotes.{parts[0]}")
    return module, getattr(module, parts[1])


def snippet(name: str) -> str:
    """The standalone source of one public function, ready to paste.

    Parameters
    ----------
    name : str
        ``"module.function"``, e.g. ``"losses.mse"`` (a leading ``dlnotes.``
        is allowed).

    Returns
    -------
    str
        Python source that imports only the standard library, NumPy and
        array-api-compat.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not a public function of dlnotes.

    Examples
    --------
    >>> namespace = {}
    >>> exec(snippet("losses.mse"), namespace)
    >>> float(namespace["mse"]([10.0], [14.0]))
    16.0
    """
    module, fn = _resolve(name)
    builder = _Builder()
    builder.add_function(fn, main=True)
    head = [_TITLE.format(name=f"{module.__name__}.{fn.__name__}")]
    if builder.future:
        head.append("from __future__ import annotations")
    # ``import array_api_compat.numpy`` binds ``array_api_compat`` too
    imports = {
        i for i in builder.imports if not any(o.startswith(i + ".") for o in builder.imports)
    }
    head.append("\n".join(sorted(imports, key=_import_order)))
    if builder.constants:
        head.append("\n".join(builder.constants))
    return "\n\n".join(head) + "\n\n\n" + "\n\n\n".join(builder.ordered()) + "\n"


def code_lines(source: str) -> int:
    """Lines of code in ``source``: not blank, not comments, not docstrings.

    Examples
    --------
    >>> code_lines("def f():\\n    'Doc.'\\n    # note\\n    return 1\\n")
    2
    """
    tree = ast.parse(source)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    doc_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    count = 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and number not in doc_lines:
            count += 1
    return count


def _import_order(line: str) -> tuple[int, str]:
    root = line.split()[1].split(".")[0]
    return (0 if root in sys.stdlib_module_names else 1, line)


class _Builder:
    """Collects a function, its helpers, constants and imports, in order."""

    def __init__(self) -> None:
        self.definitions: list[tuple[str, str]] = []  # (name, source), the main one first
        self.at_definition: set[str] = set()  # names read when a ``def`` runs (defaults)
        self.constants: list[str] = []
        self.imports: set[str] = set()
        self.seen: set[str] = set()
        self.future = False

    def add_function(self, obj: Any, *, main: bool = False) -> None:
        raw = inspect.unwrap(obj)
        if raw.__name__ in _STANDALONE and raw.__module__ == "dlnotes.backend":
            text = _STANDALONE[raw.__name__].strip()
            self.definitions.append((raw.__name__, text))
            self.imports |= _STANDALONE_IMPORTS[raw.__name__]
            for global_name in sorted(_free_names(ast.parse(text).body[0])):
                self.add_global(global_name, raw.__globals__)
            return
        source = textwrap.dedent(inspect.getsource(raw))
        tree = ast.parse(source)
        node = tree.body[0]
        node.decorator_list = [d for d in node.decorator_list if not _is_checked(d)]
        doc = ast.get_docstring(node, clean=True) or ""
        short = _short_docstring(doc, main=main)
        text = _replace_docstring(source, node, short)
        if raw.__module__ == "dlnotes.backend" and "get_backend()" in text:
            text = text.replace("get_backend()", "array_api_compat.numpy")  # the default
            self.imports.add("import array_api_compat.numpy")
            node = ast.parse(text.strip()).body[0]
        self.definitions.append((node.name, text.strip()))
        defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        for default in defaults:
            self.at_definition |= {n.id for n in ast.walk(default) if isinstance(n, ast.Name)}
        if _has_annotations(node):
            self.future = True
        for global_name in sorted(_free_names(node)):
            self.add_global(global_name, raw.__globals__)

    def ordered(self) -> list[str]:
        """The definitions to print: those a ``def`` line needs first, then the main
        function, then its helpers."""
        early = [text for name, text in self.definitions if name in self.at_definition]
        late = [text for name, text in self.definitions if name not in self.at_definition]
        return early + late

    def add_class(self, cls: type) -> None:
        source = textwrap.dedent(inspect.getsource(cls))
        node = ast.parse(source).body[0]
        doc = ast.get_docstring(node, clean=True) or ""
        text = _replace_docstring(source, node, _LINK.sub(r"`\1`", doc.split("\n\n")[0]))
        self.definitions.append((node.name, text.strip()))
        if _has_annotations(node):
            self.future = True
        module_globals = vars(sys.modules[cls.__module__])
        for global_name in sorted(_free_names(node)):
            self.add_global(global_name, module_globals)

    def add_global(self, name: str, scope: dict[str, Any]) -> None:
        if name in self.seen or name not in scope:
            return  # a builtin, or already added
        self.seen.add(name)
        value = scope[name]
        if isinstance(value, types.ModuleType):
            root = value.__name__.split(".")[0]
            if root not in _ALLOWED_ROOTS:
                raise ValueError(f"a snippet cannot import {value.__name__!r} (as {name!r})")
            self.imports.add(
                f"import {value.__name__}"
                if value.__name__ == name
                else f"import {value.__name__} as {name}"
            )
            return
        module = getattr(value, "__module__", None) or ""
        if (inspect.isfunction(value) or inspect.isclass(value)) and module.startswith("dlnotes"):
            self.seen.add(name)
            if inspect.isclass(value):
                self.add_class(value)
            else:
                self.add_function(value)
            return
        if callable(value) and module.split(".")[0] in _ALLOWED_ROOTS and module:
            owner = _public_owner(value, name)
            self.imports.add(
                f"from {owner} import {name}"
                if getattr(value, "__name__", name) == name
                else f"from {owner} import {value.__name__} as {name}"
            )
            return
        assignment = _module_assignment(scope, name)
        if assignment is not None:  # the constant as its module writes it
            text, node = assignment
            for global_name in sorted(_free_names(node)):
                self.add_global(global_name, scope)
            self.constants.append(text)
            return
        text = repr(value)
        try:
            same = ast.literal_eval(text) == value
        except (ValueError, SyntaxError):
            same = False
        if not same:
            raise ValueError(f"a snippet cannot write out the global {name!r} = {text[:60]}")
        self.constants.append(f"{name} = {text}")


def _module_assignment(scope: dict[str, Any], name: str) -> tuple[str, ast.AST] | None:
    """The top-level ``name = ...`` statement of the module that owns ``scope``, if any."""
    module = sys.modules.get(scope.get("__name__", ""))
    if module is None:
        return None
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return None
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(t, ast.Name) and t.id == name for t in targets
        ):
            if node.value is None:
                return None
            return ast.get_source_segment(source, node), node
    return None


def _public_owner(value: Any, name: str) -> str:
    """The shortest public module path that exposes ``value`` (``numpy`` not ``numpy._core``)."""
    module = value.__module__
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        candidate = ".".join(parts[:i])
        if candidate.split(".")[-1].startswith("_"):
            continue
        try:
            if getattr(importlib.import_module(candidate), value.__name__, None) is value:
                return candidate
        except ImportError:
            continue
    return module


def _is_checked(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "checked"


def _has_annotations(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = sub.args
            every = args.posonlyargs + args.args + args.kwonlyargs
            every += [a for a in (args.vararg, args.kwarg) if a is not None]
            if sub.returns is not None or any(a.annotation is not None for a in every):
                return True
        if isinstance(sub, ast.AnnAssign):
            return True
    return False


def _free_names(node: ast.AST) -> set[str]:
    """Names a definition reads from its module: loaded, never bound inside, not builtins."""
    bound: set[str] = set()
    loaded: set[str] = set()
    annotation_nodes = set()
    for sub in ast.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = sub.args
            for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if a is not None:
                    bound.add(a.arg)
                    if a.annotation is not None:
                        annotation_nodes.update(ast.walk(a.annotation))
            if not isinstance(sub, ast.Lambda):
                if sub is not node:
                    bound.add(sub.name)
                if sub.returns is not None:
                    annotation_nodes.update(ast.walk(sub.returns))
        elif isinstance(sub, ast.AnnAssign):
            annotation_nodes.update(ast.walk(sub.annotation))
        elif isinstance(sub, ast.ClassDef) and sub is not node:
            bound.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            for alias in sub.names:
                bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            bound.add(sub.name)
        elif isinstance(sub, ast.Name):
            (bound if isinstance(sub.ctx, (ast.Store, ast.Del)) else loaded).add(sub.id)
    for sub in annotation_nodes:
        if isinstance(sub, ast.Name):
            loaded.discard(sub.id)
    if isinstance(node, ast.ClassDef):  # a NamedTuple's field names are not globals
        bound |= {
            t.target.id
            for t in node.body
            if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name)
        }
    return {n for n in loaded - bound if not hasattr(builtins, n)}


def _short_docstring(doc: str, *, main: bool) -> str:
    """Summary, slide ID, the Notes' first formula and the first doctest."""
    doc = _LINK.sub(r"`\1`", doc)
    paragraphs = doc.split("\n\n")
    summary = paragraphs[0].strip()
    if not main:
        return summary
    sections = _numpydoc_sections(doc)
    out = [summary]
    slide = re.search(r"^Slide formula: [^\n]*(?:\n(?!\n)[^\n]*)*", doc, re.M)
    if slide:
        out.append(slide.group(0).strip())
    formula = re.search(r"\$\$.*?\$\$", sections.get("Notes", ""), re.S)
    if formula:
        out.append(formula.group(0).strip())
    example = _first_doctest(sections.get("Examples", ""))
    if example:
        out.append(example)
    return "\n\n".join(out)


def _numpydoc_sections(doc: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    matches = list(re.finditer(r"^(\w[\w ]*)\n-{3,}\n", doc, re.M))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(doc)
        sections[match.group(1).strip()] = doc[match.end() : end].strip("\n")
    return sections


def _first_doctest(examples: str) -> str:
    """The first run of ``>>>`` lines with their expected output."""
    lines = examples.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith(">>>")), None)
    if start is None:
        return ""
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line)
    return "\n".join(block)


def _replace_docstring(source: str, node: ast.AST, doc: str) -> str:
    """``source`` with the definition's docstring replaced by ``doc`` (kept raw)."""
    lines = source.splitlines()
    body = node.body
    has_doc = body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    indent = " " * (body[0].col_offset if body else 4)
    quoted = 'r"""' if "\\" in doc else '"""'
    new = [indent + quoted + doc.splitlines()[0]] if doc else []
    for line in doc.splitlines()[1:]:
        new.append((indent + line) if line.strip() else "")
    if doc:
        new[-1] += '"""' if len(doc.splitlines()) == 1 else ""
        if len(doc.splitlines()) > 1:
            new.append(indent + '"""')
    if has_doc:
        first, last = body[0].lineno - 1, body[0].end_lineno
        lines[first:last] = new
    else:
        at = body[0].lineno - 1
        lines[at:at] = new
    # Strip the decorators that were removed from the AST (they sit above ``def``).
    def_line = next(
        i for i, line in enumerate(lines) if re.match(r"\s*(async\s+)?(def|class)\s", line)
    )
    kept = [ast.get_source_segment(source, d) for d in node.decorator_list]
    return "\n".join([f"@{k}" for k in kept] + lines[def_line:])
