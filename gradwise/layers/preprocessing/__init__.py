"""Preprocessing layers with Keras's names and arguments: Normalization, StringLookup, IntegerLookup,
CategoryEncoding, Discretization, Hashing; MeanImputation (scikit-learn's SimpleImputer as a layer) and
PiecewiseLinearEncoding (numbers as their position in quantile bins)."""

from .base import PreprocessingLayer
from .category_encoding import CategoryEncoding
from .discretization import Discretization
from .hashing import Hashing, stable_hash
from .imputation import MeanImputation
from .lookup import IntegerLookup, StringLookup
from .normalization import Normalization
from .piecewise import PiecewiseLinearEncoding

__all__ = ["PreprocessingLayer", "Normalization", "StringLookup", "IntegerLookup", "CategoryEncoding",
           "Discretization", "Hashing", "stable_hash", "MeanImputation",
           "PiecewiseLinearEncoding"]
