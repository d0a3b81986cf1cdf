"""The one accessor for a stored row's id."""

from __future__ import annotations

import pytest

from chefintro.ids import id_of
from chefintro.models import Agency


def test_id_of_a_stored_row_is_its_id() -> None:
    assert id_of(Agency(id=7, code="CSN", name="Centrala studiestödsnämnden")) == 7


def test_id_of_an_unflushed_row_is_an_error_not_zero() -> None:
    with pytest.raises(ValueError, match="Agency has no id until it is flushed"):
        id_of(Agency(code="CSN", name="Centrala studiestödsnämnden"))
