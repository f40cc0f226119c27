"""statusgen: a static status page generator with git-backed incidents."""

__version__ = "0.1.0"
