"""No result-like number is typed by hand in the book: every one is glued, math, code or cited."""

import pytest

from tests.prose_numbers import all_typed_numbers, typed_numbers


@pytest.mark.parametrize(
    "markdown",
    [
        "The fused model reaches 0.84 on the test set.",
        "Concatenation stays at 63 % on relational questions.",
        "It keeps 94% of its accuracy.",
        "about 12 per cent of the samples",
        "```{note}\nThe gate reaches 0.91 here.\n```",
        "Something else. Then 0.5 appears. Kim et al. say more {cite}`kim2017`.",
    ],
)
def test_typed_results_are_found(markdown):
    assert typed_numbers(markdown, "example"), markdown


@pytest.mark.parametrize(
    "markdown",
    [
        "It reaches {glue:text}`acc:.3f` on the test set.",
        "The bound is $\\tau < 0.0113$ and $$s > 88.72 - \\ln n$$ for the sum.",
        "Call `torch.manual_seed(0.5)` first.",
        "```python\nx = 0.25\n```",
        "The relation network reached 94 % on pixels {cite}`santoro2017simple`.",
        "Python 3.10 or newer, torch 2.13.0; text under CC BY 4.0; Apache-2.0.",
        "Mean ± 95 % interval over five seeds.",
        "```{figure} a.png\n:width: 80%\n```",
        "See chapter 5 and section 2.",
    ],
)
def test_glued_math_code_cited_and_versions_are_allowed(markdown):
    assert typed_numbers(markdown, "example") == []


def test_the_book_types_no_result_by_hand():
    hits = all_typed_numbers()
    assert not hits, f"{len(hits)} numbers typed by hand (glue them or cite the source):\n" + "\n".join(
        map(str, hits)
    )
