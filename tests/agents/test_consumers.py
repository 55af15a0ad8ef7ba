"""The consumer market's nested-logit demand: same-crop sellers compete for one pool of demand."""

import numpy as np
import pytest

from agents.consumers import BUDGET_SHARE, TASTE, ConsumerMarket


def plain_logit(budget: float, weight: np.ndarray, utility: np.ndarray, outside: float) -> np.ndarray:
    """The textbook logit with an outside option and group weights."""
    e = weight[None, :] * np.exp(utility)
    return budget * BUDGET_SHARE[:, None] * e / (np.exp(outside) + e.sum(axis=1, keepdims=True))


#: no rest-of-nation supply in any of the four nests (the province alone in its markets)
NO_REST = (np.zeros(4), np.zeros((3, 4)))


@pytest.fixture
def market() -> tuple[ConsumerMarket, np.ndarray, np.ndarray, np.ndarray]:
    """Twelve groups over four crops with random weights and utilities."""
    rng = np.random.default_rng(3)
    groups = 12
    return (ConsumerMarket(0.6, 0.1, 0.5), rng.uniform(0.001, 0.02, groups), rng.normal(0.5, 0.8, (3, groups)),
            rng.integers(0, 4, groups))


def test_dissimilarity_one_is_the_plain_logit(market):
    """With every group a product of its own, the nested logit is the textbook logit."""
    consumers, weight, utility, nest = market
    got = consumers.demand(1000.0 * BUDGET_SHARE, weight, utility, 1.5, nest, 1.0, *NO_REST)
    np.testing.assert_allclose(got, plain_logit(1000.0, weight, utility, 1.5), rtol=1e-12)


@pytest.mark.parametrize("dissimilarity", [0.2, 0.5, 1.0])
def test_splitting_a_group_in_two_changes_nothing(market, dissimilarity):
    """Demand depends on how much is on offer, not on how it is cut into groups."""
    consumers, weight, utility, nest = market
    base = consumers.demand(1000.0 * BUDGET_SHARE, weight, utility, 1.5, nest, dissimilarity, *NO_REST)
    split = consumers.demand(1000.0 * BUDGET_SHARE,
                             np.append(weight, weight[0]) * np.r_[0.5, np.ones(weight.size - 1), 0.5],
                             np.column_stack([utility, utility[:, 0]]), 1.5, np.append(nest, nest[0]), dissimilarity,
                             *NO_REST)
    np.testing.assert_allclose(split[:, 0] + split[:, -1], base[:, 0], rtol=1e-10)
    np.testing.assert_allclose(split[:, 1:-1], base[:, 1:], rtol=1e-10)


def test_more_of_one_crop_lowers_spending_per_kg_more_the_more_alike_its_sellers(market):
    """Doubling one crop's supply raises its spending less than twofold, the less so the lower the dissimilarity."""
    consumers, weight, utility, nest = market
    crop = nest == nest[0]
    doubled = np.where(crop, 2 * weight, weight)
    growth = {}
    for dissimilarity in (0.2, 0.5, 1.0):
        before = consumers.demand(1000.0 * BUDGET_SHARE, weight, utility, 3.0, nest, dissimilarity, *NO_REST)[:, crop].sum()
        after = consumers.demand(1000.0 * BUDGET_SHARE, doubled, utility, 3.0, nest, dissimilarity, *NO_REST)[:, crop].sum()
        growth[dissimilarity] = after / before
    assert 1.0 < growth[0.2] < growth[0.5] < growth[1.0] <= 2.0
    # Another crop's sellers lose a little to the expanded crop, never gain.
    other = ~crop
    assert (consumers.demand(1000.0 * BUDGET_SHARE, doubled, utility, 3.0, nest, 0.5, *NO_REST)[:, other]
            <= consumers.demand(1000.0 * BUDGET_SHARE, weight, utility, 3.0, nest, 0.5, *NO_REST)[:, other] + 1e-12).all()


def test_spending_never_exceeds_the_budget_and_survives_large_utilities(market):
    """Extreme utilities neither overflow nor spend more than the budget."""
    consumers, weight, utility, nest = market
    spend = consumers.demand(500.0 * BUDGET_SHARE, weight, utility * 40, -30.0, nest, 0.1, *NO_REST)
    assert np.isfinite(spend).all()
    assert spend.sum() <= 500.0 * (1 + 1e-12)
    np.testing.assert_allclose(spend.sum(axis=1), 500.0 * BUDGET_SHARE, rtol=1e-9)  # outside option negligible


def test_a_small_province_in_a_national_nest_sells_in_proportion_to_its_sellers(market):
    """With the rest of the nation dominating each crop's nest, twice the sellers of a crop nearly double its spending
    and take almost nothing from the province's other groups of the same crop (they compete with everyone).
    """
    consumers, weight, utility, nest = market
    rest = (np.full(4, 50.0), np.zeros((3, 4)))
    crop = nest == nest[0]
    first = np.zeros(weight.size, bool)
    first[np.flatnonzero(crop)[0]] = True
    doubled = np.where(first, 2 * weight, weight)
    before = consumers.demand(1000.0 * BUDGET_SHARE, weight, utility, 1.0, nest, 0.3, *rest)
    after = consumers.demand(1000.0 * BUDGET_SHARE, doubled, utility, 1.0, nest, 0.3, *rest)
    assert after[:, first].sum() / before[:, first].sum() > 1.95
    others = crop & ~first
    assert after[:, others].sum() / before[:, others].sum() > 0.99
    alone = consumers.demand(1000.0 * BUDGET_SHARE, doubled, utility, 1.0, nest, 0.3, *NO_REST)[:, first].sum()
    assert alone / consumers.demand(1000.0 * BUDGET_SHARE, weight, utility, 1.0, nest, 0.3, *NO_REST)[:, first].sum() \
        < after[:, first].sum() / before[:, first].sum()


def test_the_nations_brands_are_the_branded_and_plain_sellers_of_the_nest_added_up(market):
    """The rest of the nation's utility is the inclusive value of its plain and branded sellers: spending with a
    branded share ``b`` is spending with the nation split into two weights, ``1 - b`` plain and ``b`` branded.
    """
    consumers, weight, utility, nest = market
    loss = np.full(4, 0.1)
    brand_utility = 0.3 * np.log(2.0)
    mixed = ConsumerMarket.rest_utility(2.0, 0.9, 2.0, loss, 0.2, 0.5, brand_utility, 0.3)
    plain = ConsumerMarket.rest_utility(2.0, 0.9, 2.0, loss, 0.0, 0.5, brand_utility, 0.3)
    branded = ConsumerMarket.rest_utility(2.0, 0.9, 2.0, loss, 1.0, 0.5, brand_utility, 0.3)
    budget = 1000.0 * BUDGET_SHARE
    # Two copies of each nest's rest, as extra "groups" of the province with the nation's weights and utilities.
    groups = np.concatenate([nest, np.arange(4), np.arange(4)])
    split = np.concatenate([weight, 40.0 * np.full(4, 0.8), 40.0 * np.full(4, 0.2)])
    split_utility = np.concatenate([utility, plain, branded], axis=1)
    expected = consumers.demand(budget, split, split_utility, 1.0, groups, 0.3, np.zeros(4), np.zeros((3, 4)))
    got = consumers.demand(budget, weight, utility, 1.0, nest, 0.3, np.full(4, 40.0), mixed)
    np.testing.assert_allclose(got, expected[:, : weight.size], rtol=1e-12)



def test_more_national_brands_take_more_of_the_provinces_sales_where_buyers_value_brands(market):
    """Competing brands elsewhere lower what every segment spends on the province, the east's (taste 1.4) most and
    the west's (taste 0.6, more price-sensitive: the brand's price outweighs its taste) least.
    """
    consumers, weight, utility, nest = market
    spend = []
    for share in (0.0, 0.3):
        rest = ConsumerMarket.rest_utility(2.0, 0.9, 2.0, np.zeros(4), share, 0.5, 0.3 * np.log(2.0), 0.3)
        spend.append(consumers.demand(1000.0 * BUDGET_SHARE, weight, utility, 1.0, nest, 0.3, np.full(4, 40.0),
                                      rest).sum(axis=1))
    kept = spend[1] / spend[0]
    assert kept[2] < kept[1] < kept[0] <= 1.0
