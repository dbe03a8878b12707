"""Payout computation from a band table. Pure functions on Decimal.

The verified amount is split by the table's bands. In marginal mode each
slice above the deductible is paid at its own band's rate; in whole mode the
band the amount falls in sets the rate for everything above the deductible.
The result is capped by what is left of the household's annual cap and
rounded half-up to the fen once, at the end.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from payouts.money import round_fen

ZERO = Decimal("0")


@dataclass(frozen=True)
class Band:
    lower: Decimal
    upper: Decimal | None  # None: no upper bound
    rate: Decimal


@dataclass(frozen=True)
class Table:
    deductible: Decimal
    bands: Sequence[Band]
    mode: str  # "marginal" or "whole"
    annual_cap: Decimal


@dataclass
class Payout:
    amount: Decimal
    uncapped: Decimal
    cap_left: Decimal
    slices: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "amount": str(self.amount),
            "uncapped": str(self.uncapped),
            "cap_left": str(self.cap_left),
            "slices": self.slices,
        }


def compute_payout(verified: Decimal, table: Table, paid_this_year: Decimal) -> Payout:
    """Return the payout for ``verified`` yuan, given what the household was
    already paid for this cause this year."""
    if verified < 0:
        raise ValueError(f"verified amount must not be negative: {verified}")
    bands = sorted(table.bands, key=lambda band: band.lower)
    if table.mode == "whole":
        uncapped, slices = _whole(verified, table.deductible, bands)
    else:
        uncapped, slices = _marginal(verified, table.deductible, bands)
    cap_left = max(table.annual_cap - paid_this_year, ZERO)
    amount = round_fen(min(uncapped, cap_left))
    return Payout(amount=amount, uncapped=uncapped, cap_left=cap_left, slices=slices)


def _marginal(
    verified: Decimal, deductible: Decimal, bands: Sequence[Band]
) -> tuple[Decimal, list[dict[str, str]]]:
    total = ZERO
    slices = []
    for band in bands:
        lower = max(band.lower, deductible)
        upper = verified if band.upper is None else min(band.upper, verified)
        if upper <= lower:
            continue
        part = (upper - lower) * band.rate
        total += part
        slices.append(
            {
                "from": str(lower),
                "to": str(upper),
                "rate": str(band.rate),
                "amount": str(part),
            }
        )
    return total, slices


def _whole(
    verified: Decimal, deductible: Decimal, bands: Sequence[Band]
) -> tuple[Decimal, list[dict[str, str]]]:
    if verified <= deductible:
        return ZERO, []
    band = next(
        (
            band
            for band in bands
            if band.lower < verified and (band.upper is None or verified <= band.upper)
        ),
        None,
    )
    if band is None:
        return ZERO, []
    part = (verified - deductible) * band.rate
    slice_ = {
        "from": str(deductible),
        "to": str(verified),
        "rate": str(band.rate),
        "amount": str(part),
    }
    return part, [slice_]
