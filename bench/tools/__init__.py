"""The tools under comparison; each runs in its own subprocess (see ``bench.worker``).

A tool module provides ``versions() -> dict`` and
``train(workload, data, epochs, seed, threads) -> dict`` with ``epoch_seconds`` (the
timed epochs, after one untimed warm-up epoch), ``accuracy``, ``loss`` and ``dtype``. It
raises ``NotAvailable`` when the tool or a layer it needs is missing.
"""

from dataclasses import dataclass, field


class NotAvailable(Exception):
    """The tool, or a feature a workload needs, is not installed or not implemented."""


@dataclass(frozen=True)
class Tool:
    name: str
    module: str
    import_statement: str  # what a user's script imports (timed cold, in a fresh interpreter)
    distributions: tuple  # installed packages whose files make up its size
    env: dict = field(default_factory=dict)


TOOLS = {
    "gradwise": Tool("gradwise", "bench.tools.gradwise_tool", "import gradwise", ("gradwise",)),
    "torch": Tool("torch", "bench.tools.torch_tool", "import torch", ("torch",)),
    # The same loop with PyTorch's fastest optimizer step on the CPU: fused (one kernel over
    # all parameters), else foreach (one call per operation over every tensor); see torch_tool.
    "torch-fused": Tool("torch-fused", "bench.tools.torch_tool", "import torch", ("torch",),
                        {"GRADWISE_BENCH_TORCH_STEP": "fused"}),
    "keras-torch": Tool("keras-torch", "bench.tools.keras_tool", "import keras", ("keras", "torch"),
                        {"KERAS_BACKEND": "torch"}),
    "keras-jax": Tool("keras-jax", "bench.tools.keras_tool", "import keras", ("keras", "jax", "jaxlib"),
                      {"KERAS_BACKEND": "jax"}),
    "sklearn": Tool("sklearn", "bench.tools.sklearn_tool", "from sklearn.neural_network import MLPClassifier",
                    ("scikit-learn",)),
    "tutorial": Tool("tutorial", "bench.tools.tutorial_tool", "import numpy", ("numpy",)),
}


def thread_env(threads):
    """Environment that caps every thread pool (BLAS, OpenMP, XLA) at `threads`."""
    count = str(threads)
    env = {name: count for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}
    env["XLA_FLAGS"] = f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} " \
                       f"intra_op_parallelism_threads={threads}"
    env["JAX_PLATFORMS"] = "cpu"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["PYTHONHASHSEED"] = "0"
    return env


def set_torch_threads(threads):
    import torch

    torch.set_num_threads(threads)
    if torch.get_num_interop_threads() != threads:
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:  # only settable before torch starts parallel work
            pass
