"""The version of w2v, in a module of its own so that any module (and pyproject.toml) can read it without
importing the half-initialised package."""
__version__ = "0.1.0"
