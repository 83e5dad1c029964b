"""The outlier rule (异常值) of the party-building report, as a pure function (no database).

For one indicator, one year and one stage, take the values of the departments that reported
one (n of them):

    mean  m = Σv / n
    σ       = √( Σ(v − m)² / n )            population standard deviation (divide by n, not n − 1)

- 2σ rule (default, k = 2): a value is flagged when |v − m| > k·σ (strictly more). It is
  decided exactly, with rational arithmetic, as (v − m)² > k²·σ², so a value on the line is
  not flagged and no rounding moves it across. When every value is equal (σ = 0) nothing is
  flagged.
- percentage rule (the alternative): a value is flagged when |v − m| > p% × |m|.
- a department with no value is always flagged as missing (未填报).
- a value below the indicator's required minimum, where one is set, is flagged as such
  (低于最低要求) whatever the spread says; its distance from the mean is still given.

With few departments the 2σ rule can flag nothing. With the population σ the largest
|v − m| / σ that n values can reach is √(n − 1), reached by one value away from n − 1 equal
ones (Samuelson's inequality; the bound (n − 1)/√n is the one for the sample standard
deviation, which divides by n − 1). So no value can be more than kσ away when n − 1 ≤ k²:
for k = 2, n ≤ 5 (at n = 5 the far value is exactly 2σ away, which is not more).
`Spread.impossible` says so, for a note on the page.
"""

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

SIGMA = "sigma"
PERCENT = "percent"
HIGH, LOW, MISSING, BELOW_MIN = "high", "low", "missing", "below_min"


@dataclass(frozen=True)
class Flag:
    kind: str  # HIGH, LOW, BELOW_MIN or MISSING
    z: float | None = None  # (v − m) / σ, for display; None when missing or σ = 0
    deviation_percent: float | None = None  # (v − m) / |m| × 100, for display; None when m = 0
    mean: Decimal | None = None  # the mean of the values compared (the column, or the unit's group)
    n: int = 0  # how many values were compared
    minimum: Decimal | None = None  # the required minimum, for BELOW_MIN


@dataclass(frozen=True)
class Spread:
    """The column's figures: how many values, their mean and σ, the distance beyond which a
    value is flagged (k·σ or p% × |m|), and whether the 2σ rule can flag anything at this n."""

    n: int
    mean: Decimal | None
    sd: Decimal | None
    threshold: Decimal | None
    impossible: bool = False


@dataclass(frozen=True)
class Outliers(Generic[K]):
    spread: Spread
    flags: dict[K, Flag] = field(default_factory=dict)


def _decimal(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(x.numerator) / Decimal(x.denominator)


def _sqrt(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return _decimal(x).sqrt()


def max_abs_z(n: int) -> float:
    """The largest |v − m| / σ that n values can reach (population σ): √(n − 1)."""
    return math.sqrt(n - 1) if n > 0 else 0.0


def sigma_rule_impossible(n: int, k: Decimal | Fraction | int) -> bool:
    """True when no value among n can lie more than kσ from the mean: √(n − 1) ≤ k."""
    k = Fraction(k)
    return n > 0 and n - 1 <= k * k


def largest_n_without_outliers(k: Decimal | Fraction | int) -> int:
    """The largest n at which the kσ rule cannot flag any value: n − 1 ≤ k², n ≤ ⌊k²⌋ + 1."""
    k = Fraction(k)
    return math.floor(k * k) + 1


def flag_outliers(
    values: Mapping[K, Decimal | int | None],
    *,
    method: str = SIGMA,
    k: Decimal | int = Decimal(2),
    percent: Decimal | int = Decimal(30),
    minimum: Decimal | int | None = None,
) -> Outliers[K]:
    """Flag the values of one column (department → value, None for missing).

    Returns the column's Spread and a Flag for each flagged department (missing, high or low);
    departments not in `flags` are not flagged."""
    if method not in (SIGMA, PERCENT):
        raise ValueError(f"unknown outlier method {method!r}")
    flags: dict[K, Flag] = {key: Flag(MISSING) for key, v in values.items() if v is None}
    present = {key: Fraction(v) for key, v in values.items() if v is not None}
    n = len(present)
    if n == 0:
        return Outliers(Spread(n=0, mean=None, sd=None, threshold=None), flags)
    mean = sum(present.values(), Fraction(0)) / n
    variance = sum(((v - mean) ** 2 for v in present.values()), Fraction(0)) / n
    sd = math.sqrt(variance) if variance else 0.0
    if method == SIGMA:
        kk = Fraction(k)
        limit_sq = kk * kk * variance  # flagged when (v − m)² > k²σ²
        threshold = _decimal(kk) * _sqrt(variance)
        impossible = sigma_rule_impossible(n, kk)
    else:
        p = Fraction(percent) / 100
        limit_sq = (p * abs(mean)) ** 2  # flagged when |v − m| > p·|m|
        threshold = _decimal(p * abs(mean))
        impossible = False
    for key, v in present.items():
        d = v - mean
        below = minimum is not None and v < Fraction(minimum)
        if below or d * d > limit_sq:
            flags[key] = Flag(
                BELOW_MIN if below else HIGH if d > 0 else LOW,
                z=float(d) / sd if sd else None,
                deviation_percent=float(d / abs(mean)) * 100 if mean else None,
                mean=_decimal(mean),
                n=n,
                minimum=Decimal(minimum) if below else None,
            )
    spread = Spread(n=n, mean=_decimal(mean), sd=_sqrt(variance), threshold=threshold, impossible=impossible)
    return Outliers(spread, flags)
