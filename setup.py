"""Build hook: a wheel (or a non-editable install) carries the shipped corpus and evaluation sets.

The repository keeps them in corpora/ at its top level; building copies them into the package as w2v/data/,
where ``w2v.datasets`` looks first. An editable install reads them from corpora/ directly. Everything else
about the package is in pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# the files w2v needs at run time; corpora/README.md gives their sources and licences
DATA_FILES = ["starter.txt.xz", "questions-words.txt", "wordsim353.tsv", "simlex999.txt", "README.md"]


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "w2v" / "data"
        target.mkdir(parents=True, exist_ok=True)
        for name in DATA_FILES:
            shutil.copy2(ROOT / "corpora" / name, target / name)


setup(cmdclass={"build_py": BuildPyWithData})
