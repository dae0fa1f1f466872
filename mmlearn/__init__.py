"""mmlearn: the library behind the open textbook *Multimodal Fusion, Derived*.

Every fusion method the book derives is a small class under :mod:`mmlearn.fusion` with one
signature, ``Fusion(input_dims, output_dim, **hyper)``, built by name with
:func:`mmlearn.fusion.build`, returning one ``(batch, output_dim)`` tensor. The sub-packages:

* :mod:`mmlearn.fusion`: the fusions, their base class and the registry;
* :mod:`mmlearn.nn`: layers the fusions share (masking, attention, projections, MLP, sketches);
* :mod:`mmlearn.coordinated`: coordinated representations (CCA, kernel CCA, Deep CCA);
* :mod:`mmlearn.losses`, :mod:`mmlearn.metrics`: objectives and measurements (with intervals
  over seeds);
* :mod:`mmlearn.data`: shipped and generated data, augmentation;
* :mod:`mmlearn.models`: classifiers, two towers, question answering, wrappers;
* :mod:`mmlearn.training`: ``fit`` / ``evaluate``, DDP;
* :mod:`mmlearn.experiments`: the book's comparisons;
* :mod:`mmlearn.viz`: figures and explorers;
* :mod:`mmlearn.grading`: the autograder.
"""

from . import _moved

__version__ = "0.2.0"
__all__ = ["__version__"]

_moved.install()
