"""Guard rails on the code's shape (issue #17): import contracts, module and function size, one home per pattern.

- The import contracts in ``pyproject.toml`` ([tool.importlinter]) hold: ``bot`` imports neither ``actions``,
  ``integrations`` nor Rasa / Slack / Sanic; ``bot.cases`` does not import ``bot.conversation``; no cycles in ``bot``.
- No module over 400 lines and no function over 60 lines in ``bot/``, ``actions/``, ``integrations/``
  (database migrations aside).
- The shared text patterns (e-mail, phone, case reference, yes / no) are written as regular expressions only in
  ``bot/patterns.py``; everything else imports them from there.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "actions", "integrations")
EXCLUDED = (ROOT / "bot" / "migrations",)
PATTERNS_HOME = ROOT / "bot" / "patterns.py"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# What a copy of a shared pattern looks like inside a string literal (regex source text).
COPIES: dict[str, re.Pattern[str]] = {
    # "@" followed by a class or escape that admits letters (the domain of an address): ``@[A-Za-z0-9-]+``,
    # ``@[\w.]+``, ``@[^@\s]+``, ``@\S+``; or a local part's class / escape closed by "@": ``[\w.+-]+@``, ``\S+@``.
    # Not "@" as text ("@channel", "user@example.com") nor ``@[0-9.]+`` (a confidence in a Rasa command).
    "e-mail": re.compile(r"@(?:\[\^|\[[^\]]*(?:a-z|A-Z|\\w)|\\[wS])|(?:\\[wS]|\])(?:[+*]|\{\d*,?\d*\})@"),
    # An international prefix or a long run of digits and separators: ``\+\d{1,3}``, ``\+?44``, ``[\d\s-]{9,}``.
    "phone": re.compile(r"\\\+\??(?:\\d|\d|\[|\(0)|\[(?:\\d|0-9)(?:[^\]]*)(?:\\s| |-)[^\]]*\]\{(?:[7-9]|1\d)"),
    # A case reference as a pattern: ``CS-\d{4}``, ``CS-?\d``, ``CS[-\s_]?``, ``CS\s*``; not the text "CS-2026-000123".
    "case reference": re.compile(r"(?:(?<![A-Za-z])|(?<=\\b))CS(?:-\??\\d|\[|\\s|-\?|\\-|\?)", re.IGNORECASE),
    # A yes / no answer as an alternation of its words: ``(y|yes|yeah|...)``, ``(no|nope|nah)``.
    "yes / no": re.compile(r"(?<![\w'])(?:yes|yeah|yep|yup|no|nope|nah)\|(?:yes|yeah|yep|yup|no|nope|nah)\b"),
}


def _python_files() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not any(path.is_relative_to(excluded) for excluded in EXCLUDED):
                yield path


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (they may quote a pattern; they are not one)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_import_contracts_hold() -> None:
    """``lint-imports`` (import-linter, configured in pyproject.toml) keeps every contract."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.fail("import-linter is not installed: run `make setup` (requirements-dev.txt pins it)")
    run = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[run.stdout.find("Broken contracts") :] + run.stderr


def test_no_module_is_over_400_lines() -> None:
    too_long = {
        _relative(path): lines
        for path in _python_files()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_no_function_is_over_60_lines() -> None:
    too_long: dict[str, int] = {}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long[f"{_relative(path)}:{node.lineno} {node.name}"] = length
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


def _pattern_copies(source: str) -> list[tuple[int, str, str]]:
    """(line, kind, literal) for each string literal in ``source`` that looks like a shared pattern."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            for kind, copy in COPIES.items():
                if copy.search(node.value):
                    found.append((node.lineno, kind, node.value))
    return found


def test_the_copy_detector_finds_copies_and_nothing_else() -> None:
    copies = [
        r'EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")',
        r'MAIL = re.compile(r"\S+@\S+")',
        r'MAIL = re.compile(r"[^@\s]+@[^@\s]+\.\w+")',
        r'PHONE = re.compile(r"(?:\+44|0)\s?\d{4}\s?\d{6}")',
        r'PHONE = re.compile(r"\+?\d[\d\s-]{8,}\d")',
        r'REF = re.compile(r"\bCS-\d{4}-\d{6}\b")',
        r'REF = re.compile(r"(?<![A-Za-z0-9])CS[-\s_]?(\d{4})[-\s_]?(\d{6})")',
        r'STATUS = re.compile(r"\b(?:cs-?\d{4}|status)\b")',
        r'YES = re.compile(r"^\s*(y|yes|yeah|yep)\b", re.I)',
        r'NO = re.compile(r"^\s*(?:n|no|nope|nah)\b", re.I)',
    ]
    for line in copies:
        assert _pattern_copies(line), line
    unrelated = [
        r'COMMAND = re.compile(r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?")',
        'HINT = "It looks like CS-2026-000123; write to help@example.com or call 0161 496 0000."',
        'REF = f"CS-{year:04d}-{number:06d}"',
        r'SLACK = re.compile(r"<@(U[A-Z0-9]+)>")',
        r'DATE = re.compile(r"\d{4}-\d{2}-\d{2}")',
        r'WORDS = re.compile(r"\b(?:not|never|no one|nobody)\b")',
        'ANSWERS = ("yes", "yeah", "no")',
        r'ORDER = re.compile(r"\b\d{5,}\b|[a-z0-9]+(?:[/-][a-z0-9]+)+")',
        'def f():\n    """Matches ``CS-\\d{4}`` and ``@[A-Za-z]``: a docstring quoting a pattern."""',
    ]
    for line in unrelated:
        assert not _pattern_copies(line), line


def test_shared_patterns_have_one_home() -> None:
    copies = [
        f"{_relative(path)}:{line} {kind}: {literal!r}"
        for path in _python_files()
        if path != PATTERNS_HOME
        for line, kind, literal in _pattern_copies(path.read_text(encoding="utf-8"))
    ]
    assert not copies, "write these with bot.patterns instead:\n" + "\n".join(copies)
