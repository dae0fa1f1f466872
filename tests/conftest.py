import os

# Notebook kernels and grader subprocesses inherit this: keep the 2-core CI machine responsive.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
