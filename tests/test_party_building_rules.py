"""The outlier rule (reports.rules.flag_outliers) on examples computed by hand.

Population standard deviation (divide by n). A value is flagged when |v − m| > kσ, strictly;
a missing value is always flagged; with n − 1 ≤ k² no value can be flagged (Samuelson: the
largest |v − m|/σ among n values is √(n − 1)).
"""

import math
from decimal import Decimal

import pytest

from reports import rules
from reports.rules import HIGH, LOW, MISSING, flag_outliers

D = Decimal


def column(*values):
    """Departments named a, b, c, … in order."""
    return {chr(ord("a") + n): (None if v is None else D(str(v))) for n, v in enumerate(values)}


def kinds(result) -> dict:
    return {key: flag.kind for key, flag in result.flags.items()}


# --- [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, σ = √(32/8) = 2 -------------------------------------------
#   deviations −3 −1 −1 −1 0 0 2 4; squares 9 1 1 1 0 0 4 16 = 32; 32 / 8 = 4; σ = 2; 2σ = 4.


def test_it_computes_the_mean_and_the_population_standard_deviation():
    result = flag_outliers(column(2, 4, 4, 4, 5, 5, 7, 9))

    assert result.spread.n == 8
    assert result.spread.mean == D(5)
    assert result.spread.sd == D(2)  # the sample σ would be √(32/7) ≈ 2.138
    assert result.spread.threshold == D(4)
    assert result.spread.impossible is False  # √7 ≈ 2.65 > 2


def test_a_value_exactly_k_sigma_away_is_not_flagged():
    # 9 − 5 = 4 = 2σ: "more than" 2σ is not met.
    assert flag_outliers(column(2, 4, 4, 4, 5, 5, 7, 9)).flags == {}


def test_a_value_just_above_k_sigma_is_flagged_high():
    # 9 → 9.01: m = 40.01/8 = 5.00125, |v − m| = 4.00875, (v − m)² = 16.0700765625;
    # σ² = (151 + 9.01²)/8 − m² = 29.0225125 − 25.0125015625 = 4.0100109375, 4σ² = 16.04004375 < 16.0701.
    result = flag_outliers(column(2, 4, 4, 4, 5, 5, 7, "9.01"))

    assert result.spread.mean == D("5.00125")
    assert result.spread.sd == pytest.approx(D("4.0100109375").sqrt())
    assert kinds(result) == {"h": HIGH}
    assert result.flags["h"].z == pytest.approx(4.00875 / math.sqrt(4.0100109375))  # ≈ 2.0019


def test_a_value_just_below_k_sigma_is_not_flagged():
    # 9 → 8.99: m = 4.99875, (v − m)² = 3.99125² = 15.9300765625;
    # σ² = 28.9775125 − 24.9875015625 = 3.9900109375, 4σ² = 15.96004375 > 15.9301.
    result = flag_outliers(column(2, 4, 4, 4, 5, 5, 7, "8.99"))

    assert result.spread.mean == D("4.99875")
    assert result.flags == {}


def test_a_value_just_below_the_mean_by_more_than_k_sigma_is_flagged_low():
    # The mirror image: [8, 6, 6, 6, 5, 5, 3, 1] has m = 5, σ = 2 and 1 exactly on the line;
    # 0.99 crosses it (the same arithmetic as 9.01 above, reflected).
    assert flag_outliers(column(8, 6, 6, 6, 5, 5, 3, 1)).flags == {}
    result = flag_outliers(column(8, 6, 6, 6, 5, 5, 3, "0.99"))
    assert kinds(result) == {"h": LOW}
    assert result.flags["h"].z == pytest.approx(-2.0019, abs=1e-4)


def test_k_is_a_setting():
    # The same column: 9 is 2σ away, so k = 1.99 flags it and k = 2.01 does not.
    values = column(2, 4, 4, 4, 5, 5, 7, 9)
    assert kinds(flag_outliers(values, k=D("1.99"))) == {"h": HIGH}
    assert flag_outliers(values, k=D("2.01")).flags == {}
    # k = 1: the line is 1σ = 2 from the mean; 2 (3 below) and 9 (4 above) are beyond it, 7 (2 above) is on it.
    assert kinds(flag_outliers(values, k=1)) == {"a": LOW, "h": HIGH}


# --- missing values -------------------------------------------------------------------------------


def test_every_missing_value_is_flagged_and_not_counted():
    # Present: 10, 20, 30 → m = 20, σ = √(200/3) ≈ 8.165; n = 3 (the rule cannot flag any of them).
    result = flag_outliers(column(10, None, 20, None, 30))

    assert kinds(result) == {"b": MISSING, "d": MISSING}
    assert result.spread.n == 3
    assert result.spread.mean == D(20)
    assert float(result.spread.sd) == pytest.approx(math.sqrt(200 / 3))


def test_with_no_value_at_all_everything_is_missing_and_there_is_no_mean():
    result = flag_outliers(column(None, None))

    assert kinds(result) == {"a": MISSING, "b": MISSING}
    assert (result.spread.n, result.spread.mean, result.spread.sd, result.spread.threshold) == (0, None, None, None)
    assert result.spread.impossible is False


# --- n too small, σ = 0 ---------------------------------------------------------------------------


def test_with_five_departments_no_value_can_be_more_than_two_sigma_away():
    # [0, 0, 0, 0, 100]: m = 20, deviations −20 ×4 and 80; σ² = (4·400 + 6400)/5 = 1600, σ = 40;
    # the far value is 80 = exactly 2σ away: the most that five values allow (√4 = 2).
    result = flag_outliers(column(0, 0, 0, 0, 100))

    assert (result.spread.mean, result.spread.sd) == (D(20), D(40))
    assert result.flags == {}
    assert result.spread.impossible is True


def test_with_six_departments_the_far_value_is_flagged():
    # [0, 0, 0, 0, 0, 120]: m = 20, σ² = (5·400 + 10000)/6 = 2000, σ ≈ 44.72; 100 > 2σ ≈ 89.44
    # (z = √5 ≈ 2.236, the most six values allow).
    result = flag_outliers(column(0, 0, 0, 0, 0, 120))

    assert kinds(result) == {"f": HIGH}
    assert result.flags["f"].z == pytest.approx(math.sqrt(5))
    assert result.spread.impossible is False


@pytest.mark.parametrize(
    ("n", "k", "impossible"),
    [(1, 2, True), (2, 2, True), (5, 2, True), (6, 2, False), (10, 3, True), (11, 3, False), (3, "1.5", True)],
)
def test_the_rule_is_impossible_exactly_when_n_minus_one_is_at_most_k_squared(n, k, impossible):
    assert rules.sigma_rule_impossible(n, D(str(k))) is impossible
    assert (rules.max_abs_z(n) <= float(k)) is impossible


def test_all_equal_values_have_sigma_zero_and_nothing_is_flagged():
    result = flag_outliers(column(7, 7, 7, 7, 7, 7, 7, None))

    assert (result.spread.mean, result.spread.sd, result.spread.threshold) == (D(7), D(0), D(0))
    assert kinds(result) == {"h": MISSING}


def test_a_single_value_is_never_an_outlier():
    result = flag_outliers(column(3, None))
    assert kinds(result) == {"b": MISSING}
    assert result.spread.sd == D(0)


# --- the percentage alternative -------------------------------------------------------------------


def test_the_percentage_rule_flags_values_more_than_p_percent_from_the_mean():
    # [60, 100, 100, 140, 131]: m = 106.2; 30% of m = 31.86; 60 is 46.2 below (flagged),
    # 140 is 33.8 above (flagged), 131 is 24.8 above (not).
    result = flag_outliers(column(60, 100, 100, 140, 131), method=rules.PERCENT, percent=D(30))

    assert result.spread.mean == D("106.2")
    assert result.spread.threshold == D("31.86")
    assert kinds(result) == {"a": LOW, "d": HIGH}
    assert result.flags["d"].deviation_percent == pytest.approx(33.8 / 106.2 * 100)
    assert result.spread.impossible is False  # only the σ rule has that limit


def test_the_percentage_rule_does_not_flag_a_value_on_the_line():
    # m = 100, 25% of it = 25: 75 and 125 are exactly on the line.
    assert flag_outliers(column(75, 100, 125, 100), method=rules.PERCENT, percent=25).flags == {}


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        flag_outliers(column(1, 2), method="median")


@pytest.mark.parametrize(("k", "n"), [(2, 5), (3, 10), ("2.5", 7), ("1.5", 3), (1, 2)])
def test_the_largest_n_without_outliers_is_the_floor_of_k_squared_plus_one(k, n):
    k = D(str(k))
    assert rules.largest_n_without_outliers(k) == n
    assert rules.sigma_rule_impossible(n, k) and not rules.sigma_rule_impossible(n + 1, k)
