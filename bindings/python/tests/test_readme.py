"""The notebook-style examples of README.md and bindings/python/README.md
run as written (from the repository's root, the data from ../shared/data or
$HH_DATA), and what they print holds numbers."""
import contextlib
import io
import os
import re

import pytest

from conftest import ROOT, DATA, data


def python_blocks(path):
    with open(path, encoding="utf-8") as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


@pytest.mark.parametrize("readme", ["README.md", os.path.join("bindings", "python", "README.md")])
def test_readme_example_runs(readme, monkeypatch):
    data("poa/poa_osm.pbf")
    blocks = python_blocks(os.path.join(ROOT, readme))
    assert len(blocks) == 1, readme
    code = blocks[0].replace('"../shared/data/poa"', repr(os.path.join(DATA, "poa")))
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, readme, "exec"), {"__name__": "__readme__"})
    text = out.getvalue()
    assert "travel_time" in text and re.search(r"\d", text), text
