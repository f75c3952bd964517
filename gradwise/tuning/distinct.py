"""A sampler wrapper that never proposes a configuration a finished trial already ran.

Optuna's samplers may propose a configuration again: TPE in a small discrete space,
any sampler whose random stream repeats. ``DistinctSampler`` draws the whole probed
search space at once (Optuna's relative sampling), with the wrapped sampler's own
joint and per-parameter draws, and draws again while the result repeats a complete or
pruned trial, up to ``attempts`` times (a space with no unseen configuration left
cannot avoid a repeat).

A finished trial repeats when every parameter it set has the same value in the new
draw: the build function, deterministic in ``hp``, then takes the same path.
"""

import optuna
from optuna.trial import TrialState

ATTEMPTS = 100


def _repeats(params, done):
    return bool(done) and all(name in params and params[name] == value for name, value in done.items())


class DistinctSampler(optuna.samplers.BaseSampler):
    """Wrap `sampler` so that new trials avoid the configurations of finished ones.

    Parameters
    ----------
    sampler : optuna.samplers.BaseSampler
    space : dict of str -> optuna distribution
        The probed search space (every parameter the build function may suggest).
    attempts : int
    """

    def __init__(self, sampler, space, attempts=ATTEMPTS):
        self.sampler = sampler
        self.space = dict(space)
        self.attempts = attempts

    def infer_relative_search_space(self, study, trial):
        return dict(self.space)

    def sample_relative(self, study, trial, search_space):
        if not search_space:
            return {}
        finished = [t.params for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,
                                                                                 TrialState.PRUNED))]
        params = {}
        for _ in range(self.attempts):
            params = self._draw(study, trial, search_space)
            if not any(_repeats(params, done) for done in finished):
                break
        return params

    def _draw(self, study, trial, search_space):
        joint_space = self.sampler.infer_relative_search_space(study, trial)
        params = dict(self.sampler.sample_relative(study, trial, joint_space)) if joint_space else {}
        for name, distribution in search_space.items():
            if name not in params:
                params[name] = self.sampler.sample_independent(study, trial, name, distribution)
        return params

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self.sampler.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study, trial):
        self.sampler.before_trial(study, trial)

    def after_trial(self, study, trial, state, values):
        self.sampler.after_trial(study, trial, state, values)

    def reseed_rng(self):
        self.sampler.reseed_rng()
