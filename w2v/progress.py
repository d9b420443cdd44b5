"""Progress bars: tqdm's, chosen for the terminal or the notebook (``tqdm.auto``).

In a Jupyter kernel without ipywidgets, ``tqdm.auto`` warns at import that it falls back to a text bar; that
fallback is what w2v wants, so the warning is silenced here, once, for every module that shows progress.

Example
-------
>>> from w2v.progress import tqdm
>>> for _ in tqdm(range(3), disable=True): pass
"""
import warnings

from tqdm import TqdmWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm

__all__ = ["tqdm"]
