"""Data the book runs on: shipped real data (with checksums), procedural and synthetic sets, and
loaders for standard benchmark feature files (for users who have them)."""

from .av_digits import av_digits_present, load_av_digits
from .dataset import MultimodalDataset
from .feature_files import (
    BottomUpFeatures,
    FeatureSplit,
    load_avmnist,
    load_bottom_up,
    load_cmu_affect,
    load_mmimdb,
    sentiment_classes,
)
from .integrity import DatasetIntegrityError, sha256_of, verified_path
from .norm_xor import make_norm_xor
from .nutrimouse import load_nutrimouse, nutrimouse_labels, nutrimouse_names
from .pid_tasks import PID_KINDS, PIDTask, make_pid_task
from .preprocess import standardize
from .splits import stratified_split
from .synthetic import make_interaction
from .uci import UCI_VIEWS, load_multiple_features

__all__ = [
    "PID_KINDS",
    "UCI_VIEWS",
    "PIDTask",
    "BottomUpFeatures",
    "FeatureSplit",
    "av_digits_present",
    "load_av_digits",
    "load_avmnist",
    "load_bottom_up",
    "load_cmu_affect",
    "load_mmimdb",
    "load_nutrimouse",
    "nutrimouse_labels",
    "nutrimouse_names",
    "sentiment_classes",
    "DatasetIntegrityError",
    "MultimodalDataset",
    "load_multiple_features",
    "make_interaction",
    "make_norm_xor",
    "make_pid_task",
    "sha256_of",
    "standardize",
    "stratified_split",
    "verified_path",
]
