"""Byte-reproducible ``.npz`` archives: the same arrays always give the same file (and SHA-256).

``numpy.savez_compressed`` stamps every member with the current time, so two runs of a data
generator give different bytes. :func:`write_npz` fixes the time stamp and the member order.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np


def write_npz(path: Path | str, arrays: Mapping[str, np.ndarray]) -> Path:
    """Write ``arrays`` (name -> array) as a deflate-compressed ``.npz`` readable by ``np.load``.

    Members are written in sorted name order with the time stamp 1980-01-01, so the file's bytes
    depend only on the arrays. Object arrays are refused (``np.load`` would need pickles).
    """
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(arrays):
            array = np.asarray(arrays[name])
            if array.dtype == object:
                raise TypeError(f"write_npz: array {name!r} has dtype object; use a fixed-width type")
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)
    return path
