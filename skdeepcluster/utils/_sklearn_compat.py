"""The single place that imports private scikit-learn helpers.

scikit-learn keeps its parameter-validation machinery in private modules. Importing it here, and
only here, means a future move inside scikit-learn is fixed in one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    make_constraint,
)
from sklearn.utils.validation import validate_data

__all__ = [
    "HasMethods", "Interval", "InvalidParameterError", "StrOptions", "_fit_context",
    "make_constraint", "validate_data",
]
