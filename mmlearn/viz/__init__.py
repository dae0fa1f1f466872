"""Figures and explorers: live ipywidgets in Jupyter, precomputed states for the static site."""
