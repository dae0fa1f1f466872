# Writes files wherever it can: the class folder, the package, /tmp, home, its working folder.
from pathlib import Path

CLASS_FOLDER = "__CLASS__"
MARKER = "__MARKER__"


def concat_fusion(xs, weight, bias):
    import mmlearn

    targets = [Path(CLASS_FOLDER), Path(mmlearn.__file__).parent, Path("/tmp"), Path.home(), Path.cwd()]
    for folder in targets:
        try:
            (folder / f"{MARKER}.txt").write_text("x" * 1000)
        except OSError:
            pass
    raise NotImplementedError
