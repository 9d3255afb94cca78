"""seminarkit: a Jupyter course kit for seminars on Russia's Afghan policy.

The public surface is small: load materials with :func:`load_course`, filter them by
edition, run notebooks, build handouts, release and grade exercises. Heavy libraries
(papermill, nbconvert, matplotlib) are imported only by the modules that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
