"""Chinese typography (issue 12 item 16): Chinese text uses full-width punctuation (，：；（）？！), and no message
doubles a word (“信用记录记录”), in the templates and in the Chinese string literals of the code.

The scan reads every template and every string literal of registry/ and workflows/ (docstrings and comments are
for programmers and are skipped; so are regular expressions, which are code).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]"
HAN = r"[\u3400-\u9fff]"
# A half-width , : ; ? ! or parenthesis touching a Chinese character (“12:30”, “%(n)s”, “ISO 9001” are not).
HALF_WIDTH = re.compile(rf"{HAN}[,:;?!]|[,:;]{HAN}|{HAN}\(|\({HAN}|{HAN}\)|\){HAN}")
# In a template, a translated Chinese label followed by a half-width colon or parenthesis: {{ _('编号') }}:
LABEL_THEN_HALF_WIDTH = re.compile(r"_\('[^']*[\u3400-\u9fff）][^']*'[^}]*\)\s*\}\} ?[:(]")
DOUBLED = re.compile(r"([\u3400-\u9fff]{2,4})\1")
REGEX_HINT = re.compile(r"\\[dswDSW]|\[\^|\(\?|\\\(|[+*]\)|\{\d")


def _docstring_ids(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def source_strings() -> list[tuple[str, int, str]]:
    """(file, line, text) of every Chinese string literal in the code, docstrings and regular expressions left out."""
    found = []
    for folder in ("registry", "workflows"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstring_ids(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                        and re.search(HAN, node.value) and not REGEX_HINT.search(node.value):
                    found.append((str(path.relative_to(ROOT)), node.lineno, node.value))
    return found


def template_texts() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"),
                      flags=re.S)
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(HAN, line):
                found.append((str(path.relative_to(ROOT)), number, line))
    return found


def _report(hits: list[tuple[str, int, str]]) -> str:
    return "\n".join(f"{f}:{n}: {t.strip()[:120]}" for f, n, t in hits[:60]) + f"\n({len(hits)} in all)"


def test_chinese_text_uses_full_width_punctuation():
    hits = [(f, n, t) for f, n, t in template_texts() + source_strings() if HALF_WIDTH.search(t)]
    hits += [(f, n, t) for f, n, t in template_texts() if LABEL_THEN_HALF_WIDTH.search(t)]
    assert not hits, _report(hits)


def test_no_message_doubles_a_word():
    from registry.records.kinds import KINDS
    from registry.i18n import source_text

    labels = [source_text(kind.label) for kind in KINDS.values()]
    hits = []
    for f, n, text in template_texts() + source_strings():
        # A message that names a record kind is read with every kind's name in it (信用记录 + “记录”).
        filled = [text.replace("%(kind)s", label) for label in labels] if "%(kind)s" in text else [text]
        if any(DOUBLED.search(t) for t in filled):
            hits.append((f, n, text))
    assert not hits, _report(hits)
