"""Learning-rate schedules: callables of the step number (helpers fill these in)."""


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate``."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError


_REGISTRY = {}


def serialize(schedule):
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    cls = _REGISTRY.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown learning-rate schedule {config.get('class_name')!r}. Valid names: {', '.join(sorted(_REGISTRY))}.")
    return cls(**config["config"])
