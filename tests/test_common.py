"""scikit-learn's estimator checks over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from ._configs import tiny_estimators

# Every expected failure needs a written reason; the goal is none.
EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks(
    tiny_estimators(),
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
    xfail_strict=True,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
