"""Data the book runs on: shipped real data (with checksums), procedural and synthetic sets."""

from .dataset import MultimodalDataset
from .integrity import DatasetIntegrityError, sha256_of, verified_path
from .preprocess import standardize
from .splits import stratified_split
from .synthetic import make_interaction
from .uci import UCI_VIEWS, load_multiple_features

__all__ = [
    "UCI_VIEWS",
    "DatasetIntegrityError",
    "MultimodalDataset",
    "load_multiple_features",
    "make_interaction",
    "sha256_of",
    "standardize",
    "stratified_split",
    "verified_path",
]
