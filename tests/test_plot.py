import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from mmlearn.training import History
from mmlearn.viz import bar_with_errors, fusion_stages_diagram, plot_history, show_digits


def test_bar_with_errors_draws_means_and_stds():
    fig, ax = plt.subplots()
    bar_with_errors({"a": [0.5, 0.7], "b": [0.9, 0.9]}, ax=ax, highlight=["b"])
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0.6, 0.9])
    plt.close(fig)


def test_history_digits_and_diagram():
    history = History(train_loss=[1.0, 0.5], val_loss=[1.1, 0.7], val_accuracy=[0.5, 0.8], best_epoch=1)
    fig, ax = plt.subplots()
    plot_history(history, ax=ax)
    train, val, best = ax.lines
    np.testing.assert_array_equal(train.get_xdata(), [1, 2])
    np.testing.assert_array_equal(train.get_ydata(), history.train_loss)
    np.testing.assert_array_equal(val.get_ydata(), history.val_loss)
    assert list(best.get_xdata()) == [2, 2]  # the best epoch, counted from 1
    (twin,) = [a for a in fig.axes if a is not ax]
    np.testing.assert_array_equal(twin.lines[0].get_ydata(), history.val_accuracy)
    axes = show_digits(np.zeros((3, 16, 15)), [0, 1, 2], n=3)
    assert [a.get_title() for a in axes] == ["0", "1", "2"]
    diagram = fusion_stages_diagram()
    assert [a.get_title() for a in diagram.axes] == ["early fusion", "intermediate fusion", "late fusion"]
    plt.close("all")
