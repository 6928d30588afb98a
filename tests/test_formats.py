"""Figures are written as readers of the explainer's language write numbers, with Babel (CLDR),
not hand-written rules."""

from __future__ import annotations

import pytest

from explainer.figures import format_value

NNBSP = "\u202f"  # French groups digits with a narrow no-break space


@pytest.mark.parametrize(
    "value, fmt, currency, english, french",
    [
        (28526, "number", None, "28,526", f"28{NNBSP}526"),
        (45.5, "number", None, "45.5", "45,5"),
        (62_700_000, "money", "EUR", "€62.7 million", "62,7 millions d’euros"),
        (3_250_000, "money", "GBP", "£3.25 million", "3,25 millions de livres sterling"),
        (541_000_000, "money", "EUR", "€541 million", "541 millions d’euros"),
        (12_000, "money", "GBP", "£12,000", f"12{NNBSP}000\u00a0£GB"),
        ("2021-08-21", "date", None, "21 August 2021", "21 août 2021"),
        (2021, "year", None, "2021", "2021"),
        (62, "percent", None, "62%", "62\u00a0%"),
    ],
)
def test_figures_in_english_and_french(value, fmt, currency, english, french):
    assert format_value(value, fmt, currency) == english
    assert format_value(value, fmt, currency, locale="fr_FR") == french
