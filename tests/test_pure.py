"""The counting and the ledger are plain Python packages: importing them loads no Django."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "modules",
    [
        "sovet.counting.formats, sovet.counting.stv, sovet.counting.meek, sovet.counting.single",
        "sovet.ledger",
    ],
)
def test_a_pure_package_imports_nothing_from_django(modules):
    code = (
        f"import sys; import {modules}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
