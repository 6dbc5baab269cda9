"""The tally in README.md cannot drift: every ported row names a test that exists and cites its spec and `it`."""

from __future__ import annotations

import importlib
import inspect
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
README = HERE / "README.md"
OUTCOMES = ("ported", "endpoint missing", "differs", "setup missing", "internal", "superseded", "not upstream")
COLUMNS = (
    "found",
    "observable",
    "ported",
    "holding",
    "endpoint missing",
    "differs",
    "setup missing",
    "internal",
    "superseded",
    "not upstream",
)


@dataclass(frozen=True)
class Row:
    spec: str
    module: str
    it: str
    outcome: str
    test: str


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _rows() -> list[Row]:
    rows: list[Row] = []
    spec = module = ""
    for line in README.read_text().splitlines():
        header = re.fullmatch(r"## `(spec/[^`]+)`", line)
        if header:
            spec, module = header.group(1), ""
            continue
        found = re.match(r"Module `(test_\w+)\.py`", line)
        if found:
            module = found.group(1)
            continue
        if not spec or not line.startswith("| ") or line.startswith("| describe") or line.startswith("|---"):
            continue
        cells = _cells(line)
        assert len(cells) == 4, line
        outcome = next((o for o in OUTCOMES if cells[2].startswith(o)), None)
        assert outcome is not None, f"unknown outcome in: {line}"
        assert module or outcome != "ported", f"{spec} names no module for its ported rows"
        test = cells[3].strip("`")
        row_module = module
        if "::" in test:  # a spec whose ports take more than one module names it: `module::test`
            row_module, test = test.split("::")
        rows.append(Row(spec, row_module, cells[1], outcome, test))
    return rows


def _summary() -> dict[str, dict[str, int]]:
    text = README.read_text()
    block = text[text.index("<!-- summary:start -->") : text.index("<!-- summary:end -->")]
    table: dict[str, dict[str, int]] = {}
    for line in block.splitlines():
        if not line.startswith("| ") or line.startswith("| spec file"):
            continue
        cells = _cells(line)
        table[cells[0].strip("`*")] = dict(zip(COLUMNS, (int(c.strip("*")) for c in cells[1:]), strict=True))
    return table


def _counts(rows: list[Row]) -> dict[str, int]:
    outcomes = Counter(r.outcome for r in rows)
    return {
        "found": len(rows),
        "observable": len(rows) - outcomes["internal"] - outcomes["not upstream"],
        "ported": outcomes["ported"],
        "holding": outcomes["ported"],  # every ported test passes in this suite; a failing one fails the build
        "endpoint missing": outcomes["endpoint missing"],
        "differs": outcomes["differs"],
        "setup missing": outcomes["setup missing"],
        "internal": outcomes["internal"],
        "superseded": outcomes["superseded"],
        "not upstream": outcomes["not upstream"],
    }


def test_every_ported_row_names_a_test_that_cites_its_spec_file_and_it() -> None:
    rows = _rows()
    assert rows
    for row in rows:
        if row.outcome != "ported":
            assert not row.test, f"{row.it}: only ported rows name a test"
            continue
        module = importlib.import_module(f"tests.sandbox.rspec.{row.module}")
        function = getattr(module, row.test, None)
        assert inspect.isfunction(function), f"{row.module}.{row.test} does not exist"
        doc = function.__doc__ or ""
        flat = " ".join(doc.split())
        assert row.spec in flat, f"{row.test} does not name {row.spec}"
        assert f"it '{row.it}'" in flat, f"{row.test} does not cite it '{row.it}'"


def test_every_port_test_is_listed_in_the_tally() -> None:
    listed = {(r.module, r.test) for r in _rows() if r.test}
    for path in sorted(HERE.glob("test_*.py")):
        if path.stem == "test_tally":
            continue
        module = importlib.import_module(f"tests.sandbox.rspec.{path.stem}")
        for name, value in vars(module).items():
            if name.startswith("test_") and inspect.isfunction(value):
                assert (path.stem, name) in listed, f"{path.stem}.{name} is not in README.md"


def test_the_summary_adds_up_from_the_rows() -> None:
    rows = _rows()
    summary = _summary()
    specs = list(dict.fromkeys(r.spec for r in rows))
    assert set(summary) == {*specs, "total"}
    for spec in specs:
        assert summary[spec] == _counts([r for r in rows if r.spec == spec]), spec
    assert summary["total"] == _counts(rows)
