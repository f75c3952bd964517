"""PyTorch: a plain training loop over torch.nn modules, batches by index (no DataLoader).

The output layer emits logits and the loss takes them (BCEWithLogitsLoss,
CrossEntropyLoss): the usual PyTorch idiom, equivalent to a sigmoid/softmax output
with cross-entropy. The loop keeps a running loss and accuracy as tensors, as the
other tools' fit loops do.

The "torch" row uses the optimizers' defaults; the "torch-fused" row (environment variable
``GRADWISE_BENCH_TORCH_STEP=fused``) asks for the fused implementation, which updates every
parameter in one kernel, and falls back to ``foreach=True`` (one call per operation over
all tensors) where this PyTorch has no fused CPU kernel. ``versions()`` says which ran.
"""

import os
import time

from . import NotAvailable, set_torch_threads

try:
    import torch
except ImportError as error:
    raise NotAvailable(f"torch is not installed: {error}")

from ..architecture import layer_shapes


STEP_VARIABLE = "GRADWISE_BENCH_TORCH_STEP"


def versions():
    found = {"torch": torch.__version__}
    if os.environ.get(STEP_VARIABLE) == "fused":
        found["optimizer_step"] = _step_options(torch.nn.Linear(2, 2).parameters(), torch.optim.Adam)[1]
    return found


def build(workload):
    """nn.Sequential for the workload (NCHW for convolutions), Glorot uniform kernels, zero biases."""
    modules = []
    shape = tuple(workload.input_shape)
    shapes = layer_shapes(workload.input_shape, workload.layers)
    for index, (spec, out_shape) in enumerate(zip(workload.layers, shapes)):
        last = index == len(workload.layers) - 1
        kind = spec[0]
        if kind == "dense":
            modules.append(torch.nn.Linear(shape[-1], spec[1]))
        elif kind == "conv2d":
            modules.append(torch.nn.Conv2d(shape[2], spec[1], spec[2]))
        elif kind == "maxpool":
            modules.append(torch.nn.MaxPool2d(spec[1]))
        elif kind == "flatten":
            # NCHW order, where Keras flattens NHWC: only a permutation of the next layer's inputs.
            modules.append(torch.nn.Flatten())
        elif kind == "dropout":
            modules.append(torch.nn.Dropout(spec[1]))
        if kind in ("dense", "conv2d") and spec[-1] == "relu":
            modules.append(torch.nn.ReLU())
        elif kind in ("dense", "conv2d") and not last and spec[-1] not in (None, "linear"):
            raise NotAvailable(f"torch tool: activation {spec[-1]!r} is not mapped")
        shape = out_shape
    model = torch.nn.Sequential(*modules)
    for module in model.modules():
        if isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(module.weight)
            torch.nn.init.zeros_(module.bias)
    return model


def _tensors(workload, data, which):
    x = torch.from_numpy(data[f"x_{which}"])
    if x.ndim == 4:
        x = x.permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW
    y = torch.from_numpy(data[f"y_{which}"])
    return x, y


def _loss_and_correct(workload):
    if workload.loss == "binary_crossentropy":
        loss_fn = torch.nn.BCEWithLogitsLoss()
        correct = lambda logits, y: ((logits > 0).to(y.dtype) == y).sum()
    else:
        loss_fn = torch.nn.CrossEntropyLoss()
        correct = lambda logits, y: (logits.argmax(dim=1) == y).sum()
    return loss_fn, correct


def _step_options(parameters, optimizer_class, **options):
    """(optimizer, "fused" or "foreach"): the fused CPU step where this PyTorch has one."""
    parameters = list(parameters)
    try:
        return optimizer_class(parameters, fused=True, **options), "fused"
    except (RuntimeError, TypeError, ValueError):  # no fused kernel for this device or optimizer
        return optimizer_class(parameters, foreach=True, **options), "foreach"


def _optimizer(workload, model):
    if workload.optimizer == "adam":
        optimizer_class, options = torch.optim.Adam, {"lr": workload.learning_rate, "betas": (0.9, 0.999), "eps": 1e-7}
    else:
        optimizer_class, options = torch.optim.SGD, {"lr": workload.learning_rate}
    if os.environ.get(STEP_VARIABLE) == "fused":
        return _step_options(model.parameters(), optimizer_class, **options)[0]
    return optimizer_class(model.parameters(), **options)


def train(workload, data, epochs, seed, threads):
    set_torch_threads(threads)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build(workload)
    optimizer = _optimizer(workload, model)
    loss_fn, count_correct = _loss_and_correct(workload)
    x, y = _tensors(workload, data, "train")
    samples, batch_size = x.shape[0], workload.batch_size
    seconds = []
    for _ in range(epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(samples, generator=generator)
        running_loss = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for begin in range(0, samples, batch_size):
            index = order[begin:begin + batch_size]
            inputs, targets = x[index], y[index]
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                running_loss += loss.detach() * len(index)
                correct += count_correct(logits, targets)
        float(running_loss), int(correct)  # what a loop reports at the end of an epoch
        seconds.append(time.perf_counter() - start)
    which = "test" if workload.accuracy_on == "test" else "train"
    x_eval, y_eval = _tensors(workload, data, which)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x_eval[i:i + 1024]) for i in range(0, len(x_eval), 1024)])
        accuracy = count_correct(logits, y_eval).item() / len(y_eval)
        loss = loss_fn(logits, y_eval).item()
    return {"epoch_seconds": seconds[1:], "accuracy": accuracy, "loss": loss, "dtype": str(x.dtype).split(".")[-1]}
