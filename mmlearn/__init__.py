"""mmlearn: the library behind the open textbook *Multimodal Fusion, Derived*.

Every fusion method the book derives is a small module under :mod:`mmlearn.fusion` with one
signature, ``Fusion(input_dims, output_dim, **hyper)``, built by name with
:func:`mmlearn.fusion.build`.
"""

__version__ = "0.1.0"
