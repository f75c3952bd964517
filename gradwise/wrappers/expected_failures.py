"""scikit-learn estimator checks that cannot apply to minibatch-trained networks, and why."""

_MINIBATCH_WEIGHTS = (
    "Minibatch gradient descent: weighting a sample by k is not the same as repeating it k "
    "times, because repetition changes the shuffled batches (their composition and number "
    "of steps); the two fits agree only approximately (about 1e-5 here), not to the 1e-7 "
    "this check asks."
)

EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": _MINIBATCH_WEIGHTS,
}


def expected_failed_checks(estimator):
    """``{check name: reason}`` for ``parametrize_with_checks(expected_failed_checks=...)``."""
    return dict(EXPECTED_FAILED_CHECKS)
