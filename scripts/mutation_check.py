"""A small mutation check of ``mmlearn/fusion``: do the tests notice when the code changes?

Every arithmetic operator, comparison, boolean constant and small integer constant in the fusion
modules (outside docstrings, error messages and ``raise`` statements) is a candidate site. A
seeded sample of ``--n`` sites, spread over the files, is mutated one at a time (``+`` <-> ``-``,
``*`` -> ``+``, ``/`` -> ``*``, ``<`` <-> ``<=``, ``True`` <-> ``False``, ``k`` -> ``k + 1``), and the
tests of that file's family run against each mutant. A mutant is *killed* when a test fails. The
script prints every mutant with its fate and the score, and exits 1 when the score is below
``--threshold``.

    .venv/bin/python scripts/mutation_check.py --n 16 --threshold 0.8

The source file is restored after every mutant, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import ast
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUSION = ROOT / "mmlearn" / "fusion"

#: The test files of each module of ``mmlearn/fusion`` (the contract runs on top of them, on the
#: module's own fusions; for ``base.py`` on a few fusions of different kinds).
CONTRACT_SAMPLE = ["concat", "attention_pool", "stacked_attention", "mlb", "bi_rnn", "gmu"]
TESTS: dict[str, list[str]] = {
    "base.py": ["tests/test_simple.py", "tests/test_naming.py"],
    "registry.py": ["tests/test_naming.py"],
    "simple.py": ["tests/test_simple.py", "tests/test_models_train.py"],
    "hybrid.py": ["tests/test_hybrid.py"],
    "attention.py": ["tests/test_attention.py"],
    "gating.py": ["tests/test_attention.py", "tests/test_coattention.py"],
    "coattention.py": ["tests/test_coattention.py"],
    "sequence.py": ["tests/test_attention.py", "tests/test_coattention.py"],
    "bilinear.py": ["tests/test_bilinear.py"],
    "lowrank.py": ["tests/test_bilinear.py", "tests/test_simple.py", "tests/test_family_tree.py"],
    "tucker.py": ["tests/test_tucker.py", "tests/test_family_tree.py"],
    "block.py": ["tests/test_block.py", "tests/test_family_tree.py"],
}

BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.Div: ast.Mult}
COMPARES = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq}


@dataclass(frozen=True)
class Site:
    path: Path
    line: int
    col: int
    kind: str  # "binop", "compare", "bool", "int"

    def describe(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}:{self.col} {self.kind}"


def _strict_positions(tree: ast.AST) -> set[tuple[int, int]]:
    """``zip(..., strict=True)``: the lengths are checked before, so flipping it is equivalent."""
    return {
        (kw.value.lineno, kw.value.col_offset)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "strict"
    }


def _default_positions(tree: ast.AST) -> set[tuple[int, int]]:
    """Positions of default argument values: a default is documentation of the API that the
    tests pass explicitly, so changing it says nothing about the tests."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arguments):
            for default in [*node.defaults, *(d for d in node.kw_defaults if d is not None)]:
                for sub in ast.walk(default):
                    if hasattr(sub, "lineno"):
                        found.add((sub.lineno, sub.col_offset))
    return found


def _excluded_lines(tree: ast.AST) -> set[int]:
    """Lines of docstrings, raise statements and f-strings: mutating messages proves nothing."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise | ast.JoinedStr | ast.Assert):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Module) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
        if isinstance(node, ast.AnnAssign | ast.Assign):
            # class-level test_hyper / weight_names tables are test data, not behaviour
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in {"test_hyper", "weight_names"} for t in targets):
                lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def sites(path: Path) -> list[Site]:
    tree = ast.parse(path.read_text())
    skip = _excluded_lines(tree)
    defaults = _default_positions(tree) | _strict_positions(tree)
    found = []
    for node in ast.walk(tree):
        if (
            getattr(node, "lineno", None) in skip
            or (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)) in defaults
        ):
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            found.append(Site(path, node.lineno, node.col_offset, "binop"))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in COMPARES:
            found.append(Site(path, node.lineno, node.col_offset, "compare"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            found.append(Site(path, node.lineno, node.col_offset, "bool"))
        elif isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value <= 8:
            found.append(Site(path, node.lineno, node.col_offset, "int"))
    return found


class _Mutator(ast.NodeTransformer):
    def __init__(self, site: Site) -> None:
        self.site, self.done = site, False

    def _here(self, node: ast.AST) -> bool:
        return (getattr(node, "lineno", None), getattr(node, "col_offset", None)) == (
            self.site.line,
            self.site.col,
        )

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        if self.done or not self._here(node):
            return node
        kind = self.site.kind
        if kind == "binop" and isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            node.op = BINOPS[type(node.op)]()
        elif kind == "compare" and isinstance(node, ast.Compare) and type(node.ops[0]) in COMPARES:
            node.ops = [COMPARES[type(node.ops[0])](), *node.ops[1:]]
        elif kind == "bool" and isinstance(node, ast.Constant) and isinstance(node.value, bool):
            node.value = not node.value
        elif kind == "int" and isinstance(node, ast.Constant) and type(node.value) is int:
            node.value = node.value + 1
        else:
            return node
        self.done = True
        return node


def mutate(source: str, site: Site) -> str:
    mutator = _Mutator(site)
    tree = mutator.visit(ast.parse(source))
    if not mutator.done:
        raise RuntimeError(f"site not found: {site.describe()}")
    return ast.unparse(tree)


def tests_for(path: Path) -> list[list[str]]:
    """The family's tests, plus (a separate run, since ``-k`` applies to every file of a run)
    the generic contract on the fusions the module defines."""
    sys.path.insert(0, str(ROOT))
    from mmlearn import fusion

    names = CONTRACT_SAMPLE if path.name == "base.py" else fusion.available(family=path.stem)
    runs = [TESTS[path.name]]
    if names:
        runs.append(["tests/test_fusion_contract.py", "-k", " or ".join(names)])
    return runs


def run_tests(runs: list[list[str]], timeout: float) -> bool:
    """True when every run of the tests passes (the mutant survives)."""
    for tests in runs:
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not cuda", *tests]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False  # an endless loop is noticed too
        if proc.returncode != 0:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=16, help="number of mutants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.8, help="lowest acceptable score")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per mutant")
    args = parser.parse_args(argv)

    # a TERM (a CI timeout, a kill) must still restore the mutated file: make it an exception
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rng = random.Random(args.seed)
    by_file = {p: sites(p) for p in sorted(FUSION.glob("*.py")) if p.name in TESTS}
    # round-robin over files so that every family gets mutants
    pools = {p: rng.sample(s, len(s)) for p, s in by_file.items() if s}
    chosen: list[Site] = []
    while len(chosen) < args.n and any(pools.values()):
        for pool in pools.values():
            if pool and len(chosen) < args.n:
                chosen.append(pool.pop())
    killed = 0
    start = time.perf_counter()
    for site in chosen:
        original = site.path.read_text()
        tests = tests_for(site.path)  # before the source changes
        try:
            site.path.write_text(mutate(original, site))
            survived = run_tests(tests, args.timeout)
        finally:
            site.path.write_text(original)
        killed += not survived
        line = original.splitlines()[site.line - 1].strip()
        print(f"{'SURVIVED' if survived else 'killed  '} {site.describe():<45} {line[:70]}", flush=True)
    score = killed / max(1, len(chosen))
    total = sum(len(s) for s in by_file.values())
    print(
        f"mutation score {killed}/{len(chosen)} = {score:.2f} ({total} sites in mmlearn/fusion, "
        f"{time.perf_counter() - start:.0f} s)"
    )
    return 0 if score >= args.threshold else 1


if __name__ == "__main__":
    raise SystemExit(main())
