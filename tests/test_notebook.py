"""notebooks/quickstart.ipynb runs top to bottom (with fewer epochs, to stay quick)."""
from pathlib import Path

import pytest


NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"


@pytest.mark.slow  # 20 s of training
def test_quickstart_runs(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("W2V_QUICKSTART_EPOCHS", "5")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "queen" in text and "analogies" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3  # the three pictures
