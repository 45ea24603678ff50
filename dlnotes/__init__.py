"""dlnotes: the formulas of deep-learning lecture slides as short array-API functions.

Import the topic modules (``from dlnotes import losses``); this package itself
holds only `checks`, the switch for the data checks, and the version.
"""

from dlnotes._checks import checks

__all__ = ["checks"]
__version__ = "0.1.0"
