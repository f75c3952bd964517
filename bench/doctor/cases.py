"""The fault suite: broken training set-ups with one injected fault each, and healthy ones.

Every case is a small model and a data recipe. A faulty case names the finding it must
produce (``expected``) and the findings that are correct consequences of the same fault
(``accept``: e.g. a learning rate of 5 also makes the loss NaN); healthy cases must
produce no finding of severity warning or higher. The faults follow those studied by
AUTOTRAINER (ICSE'21), DeepDiagnosis (ICSE'22) and UMLAUT (CHI'21), and the mistakes the
tutorials behind gradwise teach about (a 10-layer sigmoid stack, unscaled Pima inputs,
zero or N(0, 1) initialization, softmax with binary cross-entropy, ...).
"""

from dataclasses import dataclass, field

import gradwise as gw
from gradwise import initializers, optimizers, regularizers


@dataclass
class Case:
    name: str
    data: str
    build: object  # build(input_dim, output_units) -> compiled Sequential
    expected: str = None  # None: a healthy case
    accept: tuple = ()
    root: tuple = ()  # codes that name the injected fault as a root cause (default: expected)
    scaling: str = "scaled"
    epochs: int = 20
    batch_size: int = 32
    train_size: int = None
    targets: str = "sparse"  # 'sparse', 'one_hot' or 'binary' labels; 'continuous' for regression
    corrupt: str = None  # 'nan_x', 'nan_val_x' or 'inf_y': non-finite values injected (execute.corrupt)
    description: str = ""
    tags: tuple = field(default_factory=tuple)


def mlp(hidden, activation="relu", output_activation="softmax", loss="sparse_categorical_crossentropy",
        optimizer="adam", learning_rate=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
        output_initializer="glorot_uniform", dropout=0.0, l2=None, batch_norm=False, seed=0, **optimizer_args):
    """A builder of a Dense stack: ``hidden`` units per layer, then the output layer
    (``build(input_dim, output_units, seed_override)`` draws other initial weights)."""

    def build(input_dim, output_units, seed_override=None):
        layers = [gw.Input((input_dim,))]
        for units in hidden:
            layers.append(gw.Dense(units, activation=None if batch_norm else activation,
                                   kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                                   kernel_regularizer=None if l2 is None else regularizers.L2(l2)))
            if batch_norm:
                layers += [gw.BatchNormalization(), gw.Activation(activation)]
            if dropout:
                layers.append(gw.Dropout(dropout))
        layers.append(gw.Dense(output_units, activation=output_activation, kernel_initializer=output_initializer))
        model = gw.Sequential(layers, seed=seed if seed_override is None else seed_override)
        opt = optimizers.get(optimizer)
        opt = type(opt)(**({} if learning_rate is None else {"learning_rate": learning_rate}), **optimizer_args)
        model.compile(optimizer=opt, loss=loss, metrics=["accuracy"] if "crossentropy" in str(loss) else None)
        return model

    return build


def _normal(stddev):
    return initializers.RandomNormal(mean=0.0, stddev=stddev)


BINARY = dict(output_activation="sigmoid", loss="binary_crossentropy")
REGRESSION = dict(output_activation=None, loss="mse")

FAULTS = [
    # ----- vanishing gradients ----------------------------------------------------------
    Case("sigmoid_stack_10_digits", "digits", mlp([32] * 10, "sigmoid", optimizer="sgd", learning_rate=0.1),
         "VANISHING_GRADIENT", ("PLATEAU", "UNDERFITTING", "LR_TOO_LOW"),
         description="10 sigmoid layers (the tutorial's stack): the derivative is at most 0.25 per layer"),
    Case("sigmoid_stack_10_cancer", "breast_cancer", mlp([16] * 10, "sigmoid", optimizer="sgd", learning_rate=0.05,
                                                         **BINARY),
         "VANISHING_GRADIENT", ("PLATEAU", "UNDERFITTING", "LR_TOO_LOW"), targets="binary",
         description="10 sigmoid layers on breast cancer"),
    Case("sigmoid_stack_8_iris", "iris", mlp([16] * 8, "sigmoid", optimizer="sgd", learning_rate=0.1),
         "VANISHING_GRADIENT", ("PLATEAU", "UNDERFITTING", "LR_TOO_LOW"), epochs=30, batch_size=16,
         description="8 sigmoid layers on iris"),
    # ----- exploding gradients ----------------------------------------------------------
    Case("relu_stack_normal1_digits", "digits", mlp([64] * 6, "relu", optimizer="sgd", learning_rate=0.01,
                                                   kernel_initializer=_normal(1.0)),
         "EXPLODING_GRADIENT", ("NAN_INF", "BAD_INITIALIZATION", "LR_TOO_HIGH", "DYING_RELU"),
         root=("BAD_INITIALIZATION",),
         description="6 ReLU layers with N(0, 1) kernels: activations and gradients grow ~sqrt(fan_in/2) per layer"),
    Case("regression_unscaled_targets", "diabetes", mlp([32, 32], "relu", optimizer="sgd", learning_rate=0.01,
                                                        **REGRESSION),
         "EXPLODING_GRADIENT", ("NAN_INF", "LR_TOO_HIGH", "DYING_RELU", "UNDERFITTING", "PLATEAU"),
         targets="continuous",
         root=("EXPLODING_GRADIENT", "LR_TOO_HIGH"),
         description="MSE on targets in the hundreds with SGD: the gradients scale with the targets"),
    Case("relu_stack_normal05_cancer", "breast_cancer", mlp([32] * 6, "relu", optimizer="sgd", learning_rate=0.01,
                                                           kernel_initializer=_normal(0.8), **BINARY),
         "EXPLODING_GRADIENT", ("NAN_INF", "BAD_INITIALIZATION", "LR_TOO_HIGH", "DYING_RELU"), targets="binary",
         root=("BAD_INITIALIZATION",), description="6 ReLU layers with N(0, 0.8) kernels on breast cancer"),
    # ----- dying ReLU -------------------------------------------------------------------
    Case("relu_negative_bias_digits", "digits", mlp([64, 64], "relu", bias_initializer=initializers.Constant(-3.0)),
         "DYING_RELU", ("BAD_INITIALIZATION", "PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"),
         root=("BAD_INITIALIZATION",), description="ReLU layers with bias initialized to -3: most units never fire"),
    Case("relu_negative_bias_cancer", "breast_cancer", mlp([32, 32], "relu",
                                                           bias_initializer=initializers.Constant(-4.0), **BINARY),
         "DYING_RELU", ("BAD_INITIALIZATION", "PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"), targets="binary",
         root=("BAD_INITIALIZATION",), description="ReLU layers with bias initialized to -4 on breast cancer"),
    Case("relu_high_lr_dies_pima", "pima", mlp([32, 32], "relu", optimizer="sgd", learning_rate=1.0, momentum=0.9,
                                               **BINARY),
         "DYING_RELU", ("LR_TOO_HIGH", "PLATEAU", "UNDERFITTING", "NAN_INF", "EXPLODING_GRADIENT"), targets="binary",
         root=("LR_TOO_HIGH",), description="momentum SGD at 1.0 knocks ReLU units into the dead zone"),
    # ----- saturation -------------------------------------------------------------------
    Case("sigmoid_normal10_digits", "digits", mlp([64], "sigmoid", kernel_initializer=_normal(10.0)),
         "SATURATION", ("BAD_INITIALIZATION", "VANISHING_GRADIENT", "UNDERFITTING", "PLATEAU"),
         root=("BAD_INITIALIZATION",),
         description="a sigmoid layer with N(0, 10) kernels: pre-activations in the tens"),
    Case("tanh_normal5_cancer", "breast_cancer", mlp([32], "tanh", kernel_initializer=_normal(5.0), **BINARY),
         "SATURATION", ("BAD_INITIALIZATION", "VANISHING_GRADIENT", "UNDERFITTING", "PLATEAU", "OVERFITTING"),
         targets="binary",
         root=("BAD_INITIALIZATION",), description="a tanh layer with N(0, 5) kernels"),
    Case("tanh_bias5_iris", "iris", mlp([16], "tanh", bias_initializer=initializers.Constant(5.0), optimizer="sgd",
                                      learning_rate=0.05),
         "SATURATION", ("BAD_INITIALIZATION", "VANISHING_GRADIENT", "UNDERFITTING", "PLATEAU", "LR_TOO_LOW"),
         epochs=30, batch_size=16, root=("BAD_INITIALIZATION",),
         description="a tanh layer with bias 5: every unit starts at +1"),
    # ----- learning rate too high ---------------------------------------------------------
    Case("sgd_lr5_digits", "digits", mlp([64, 32], "relu", optimizer="sgd", learning_rate=5.0),
         "LR_TOO_HIGH", ("NAN_INF", "EXPLODING_GRADIENT", "DYING_RELU", "PLATEAU", "UNDERFITTING"),
         description="SGD with learning_rate=5"),
    Case("adam_lr05_cancer", "breast_cancer", mlp([32, 32], "relu", learning_rate=0.5, **BINARY),
         "LR_TOO_HIGH", ("NAN_INF", "EXPLODING_GRADIENT", "DYING_RELU", "PLATEAU", "UNDERFITTING"), targets="binary",
         description="Adam with learning_rate=0.5"),
    Case("rmsprop_lr1_iris", "iris", mlp([16, 16], "relu", optimizer="rmsprop", learning_rate=1.0),
         "LR_TOO_HIGH", ("NAN_INF", "EXPLODING_GRADIENT", "DYING_RELU", "PLATEAU", "UNDERFITTING"), epochs=30,
         batch_size=16, description="RMSprop with learning_rate=1"),
    Case("sgd_lr5_pima_tanh", "pima", mlp([16, 16], "tanh", optimizer="sgd", learning_rate=5.0, **BINARY),
         "LR_TOO_HIGH", ("NAN_INF", "EXPLODING_GRADIENT", "SATURATION", "PLATEAU", "UNDERFITTING"), targets="binary",
         description="SGD with learning_rate=5 on a tanh network"),
    # ----- learning rate too low ---------------------------------------------------------
    Case("adam_lr1e-6_digits", "digits", mlp([64, 32], "relu", learning_rate=1e-6),
         "LR_TOO_LOW", ("UNDERFITTING", "PLATEAU"), description="Adam with learning_rate=1e-6"),
    Case("sgd_lr1e-5_cancer", "breast_cancer", mlp([32, 16], "relu", optimizer="sgd", learning_rate=1e-5, **BINARY),
         "LR_TOO_LOW", ("UNDERFITTING", "PLATEAU"), targets="binary", description="SGD with learning_rate=1e-5"),
    Case("rmsprop_lr1e-6_iris", "iris", mlp([16, 16], "relu", optimizer="rmsprop", learning_rate=1e-6),
         "LR_TOO_LOW", ("UNDERFITTING", "PLATEAU"), epochs=30, batch_size=16,
         description="RMSprop with learning_rate=1e-6"),
    # ----- plateau ---------------------------------------------------------------------------
    Case("sigmoid3_plain_sgd_digits", "digits", mlp([32, 32, 32], "sigmoid", optimizer="sgd", learning_rate=0.01),
         "PLATEAU", ("UNDERFITTING", "LR_TOO_LOW", "VANISHING_GRADIENT"),
         description="three sigmoid layers and plain SGD: the loss sits at the uninformed level"),
    Case("sigmoid_plain_sgd_pima", "pima", mlp([8, 8], "sigmoid", optimizer="sgd", learning_rate=0.05, **BINARY),
         "PLATEAU", ("UNDERFITTING", "LR_TOO_LOW"), targets="binary",
         description="sigmoid layers and plain SGD stuck at the class prior"),
    Case("tanh_tiny_init_cancer", "breast_cancer", mlp([16, 16, 16], "tanh", optimizer="sgd", learning_rate=0.01,
                                                       kernel_initializer=_normal(0.01), **BINARY),
         "PLATEAU", ("BAD_INITIALIZATION", "UNDERFITTING", "VANISHING_GRADIENT", "LR_TOO_LOW"), targets="binary",
         root=("BAD_INITIALIZATION",), description="tanh layers started near 0: the saddle at the origin"),
    # ----- overfitting ----------------------------------------------------------------------
    Case("tiny_digits_big_model", "digits", mlp([512, 512], "relu"), "OVERFITTING", (), epochs=80,
         batch_size=8, train_size=60, description="60 training images for a 512-512 network"),
    Case("tiny_cancer_big_model", "breast_cancer", mlp([256, 256, 256], "relu", **BINARY), "OVERFITTING", (),
         epochs=100, batch_size=4, train_size=24, targets="binary", description="24 training rows for a 3x256 network"),
    Case("tiny_pima_big_model", "pima", mlp([256, 256], "relu", **BINARY), "OVERFITTING", (), epochs=60,
         batch_size=16, train_size=100, targets="binary", description="100 training rows for a 256-256 network"),
    # ----- underfitting ---------------------------------------------------------------------
    Case("one_unit_digits", "digits", mlp([1], "relu"), "UNDERFITTING", ("PLATEAU", "DYING_RELU"),
         description="a single hidden unit for ten classes"),
    Case("heavy_l2_digits", "digits", mlp([64], "relu", l2=1.0), "UNDERFITTING", ("PLATEAU",),
         description="kernel_regularizer=L2(1.0)"),
    Case("sigmoid_sgd_too_few_epochs", "digits", mlp([32, 32], "sigmoid", optimizer="sgd", learning_rate=0.05),
         "UNDERFITTING", ("PLATEAU", "LR_TOO_LOW"),
         description="plain SGD on sigmoid layers, stopped while still learning"),
    Case("one_unit_iris", "iris", mlp([1], "relu"), "UNDERFITTING", ("PLATEAU", "DYING_RELU"), epochs=30,
         batch_size=16, description="a single hidden unit for three classes"),
    # ----- unnormalized inputs ----------------------------------------------------------------
    Case("pima_raw", "pima", mlp([12, 8], "relu", **BINARY), "UNNORMALIZED_INPUT",
         ("UNDERFITTING", "PLATEAU", "DYING_RELU", "LR_TOO_HIGH", "EXPLODING_GRADIENT"), scaling="raw",
         targets="binary",
         description="the Keras tutorial's Pima network on raw features (glucose ~120, insulin ~80)"),
    Case("cancer_raw_sigmoid", "breast_cancer", mlp([16], "sigmoid", **BINARY), "UNNORMALIZED_INPUT",
         ("SATURATION", "UNDERFITTING", "PLATEAU", "VANISHING_GRADIENT"), scaling="raw", targets="binary",
         description="raw breast-cancer features (areas in the hundreds) into sigmoid units"),
    Case("digits_raw_tanh", "digits", mlp([32], "tanh", optimizer="sgd", learning_rate=0.05), "UNNORMALIZED_INPUT",
         ("SATURATION", "UNDERFITTING", "PLATEAU", "LR_TOO_HIGH"), scaling="raw",
         description="pixels 0-16 into tanh units"),
    # ----- NaN / Inf ----------------------------------------------------------------------------
    Case("regression_sgd_lr01", "diabetes", mlp([32], "tanh", optimizer="sgd", learning_rate=0.1, **REGRESSION),
         "NAN_INF", ("LR_TOO_HIGH", "EXPLODING_GRADIENT", "SATURATION"), targets="continuous",
         root=("LR_TOO_HIGH", "EXPLODING_GRADIENT"),
         description="MSE on raw targets with SGD at 0.1: the loss overflows"),
    Case("digits_regression_momentum", "digits", mlp([64, 64], "relu", optimizer="sgd", learning_rate=0.5, momentum=0.9,
                                                     **REGRESSION),
         "NAN_INF", ("LR_TOO_HIGH", "EXPLODING_GRADIENT", "DYING_RELU"), targets="continuous",
         root=("LR_TOO_HIGH", "EXPLODING_GRADIENT"),
         description="digit values 0-9 as regression targets, momentum SGD at 0.5"),
    Case("relu_stack_normal1_sgd01", "digits", mlp([64] * 6, "relu", optimizer="sgd", learning_rate=0.1,
                                                  kernel_initializer=_normal(1.0)),
         "NAN_INF", ("EXPLODING_GRADIENT", "BAD_INITIALIZATION", "LR_TOO_HIGH", "DYING_RELU"),
         root=("BAD_INITIALIZATION",), description="N(0, 1) kernels in 6 ReLU layers and SGD at 0.1"),
    Case("pima_raw_sgd", "pima", mlp([16], "relu", optimizer="sgd", learning_rate=0.5, **REGRESSION),
         "NAN_INF", ("UNNORMALIZED_INPUT", "LR_TOO_HIGH", "EXPLODING_GRADIENT", "DYING_RELU"), scaling="raw",
         targets="continuous_binary", root=("UNNORMALIZED_INPUT",),
         description="raw Pima features, MSE and SGD at 0.5"),
    # ----- loss / activation mismatch ---------------------------------------------------------
    Case("softmax_binary_ce_digits", "digits", mlp([64], "relu", output_activation="softmax",
                                                   loss="binary_crossentropy"),
         "LOSS_ACTIVATION_MISMATCH", (), targets="one_hot",
         description="softmax output with binary_crossentropy on 10 classes"),
    Case("linear_output_ce_digits", "digits", mlp([64], "relu", output_activation=None,
                                                  loss="categorical_crossentropy"),
         "LOSS_ACTIVATION_MISMATCH", ("UNDERFITTING", "PLATEAU", "NAN_INF"), targets="one_hot",
         description="a linear output with categorical_crossentropy not told from_logits"),
    Case("sparse_labels_onehot_loss", "iris", mlp([16], "relu", loss="categorical_crossentropy"),
         "LOSS_ACTIVATION_MISMATCH", (), epochs=30, batch_size=16,
         description="integer labels with categorical_crossentropy"),
    Case("double_sigmoid_cancer", "breast_cancer", mlp([16], "relu", output_activation="sigmoid",
                                                       loss=gw.losses.BinaryCrossentropy(from_logits=True)),
         "LOSS_ACTIVATION_MISMATCH", ("UNDERFITTING",), targets="binary",
         description="a sigmoid output with binary_crossentropy(from_logits=True)"),
    # ----- bad initialization ------------------------------------------------------------------
    Case("zeros_init_digits", "digits", mlp([64, 64], "relu", kernel_initializer="zeros"),
         "BAD_INITIALIZATION", ("PLATEAU", "UNDERFITTING", "DYING_RELU", "VANISHING_GRADIENT"),
         description="kernel_initializer='zeros': every unit computes the same thing"),
    Case("normal1_sigmoid_cancer", "breast_cancer", mlp([32, 32, 32], "sigmoid", kernel_initializer=_normal(1.0),
                                                        **BINARY),
         "BAD_INITIALIZATION", ("SATURATION", "VANISHING_GRADIENT", "UNDERFITTING", "PLATEAU", "OVERFITTING"),
         targets="binary", description="N(0, 1) kernels with sigmoid (too large for fan-in 30)"),
    Case("glorot_deep_relu_digits", "digits", mlp([32] * 12, "relu", optimizer="sgd", learning_rate=0.01),
         "BAD_INITIALIZATION", ("VANISHING_GRADIENT", "PLATEAU", "UNDERFITTING", "DYING_RELU", "LR_TOO_LOW"),
         description="Glorot init in a 12-layer ReLU stack: the signal halves in variance each layer"),
    Case("constant_init_digits", "digits", mlp([32, 32], "tanh", kernel_initializer=initializers.Constant(0.05)),
         "BAD_INITIALIZATION", ("PLATEAU", "UNDERFITTING"),
         description="constant kernels: the units never become different"),
]

# Second round (issue 14): one fault class each that the first round's rules got wrong, written
# before the new rules' thresholds were set; they are part of the calibration set.
ROUND_TWO_FAULTS = [
    Case("dead_relu_positive_init_digits", "digits", mlp([64, 64], "relu",
                                                         kernel_initializer=initializers.RandomUniform(0.0, 0.05)),
         "DYING_RELU", ("BAD_INITIALIZATION", "PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"), scaling="negative",
         root=("BAD_INITIALIZATION", "DYING_RELU"),
         description="all-positive kernels on inputs in [-1, 0]: every pre-activation is negative"),
    Case("dead_relu_positive_init_cancer", "breast_cancer", mlp([32, 32], "relu", optimizer="sgd",
                                                                learning_rate=0.01,
                                                                kernel_initializer=initializers.RandomUniform(0.0, 0.1),
                                                                **BINARY),
         "DYING_RELU", ("BAD_INITIALIZATION", "PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"), scaling="negative",
         targets="binary", root=("BAD_INITIALIZATION", "DYING_RELU"),
         description="RandomUniform(0, 0.1) kernels and SGD on inputs min(z - 1, 0) of the standardized z"),
    Case("saddle_small_init_circles", "circles", mlp([16, 16], "tanh", optimizer="sgd", learning_rate=0.05,
                                                     kernel_initializer=_normal(1e-3), **BINARY),
         "PLATEAU", ("BAD_INITIALIZATION", "UNDERFITTING", "VANISHING_GRADIENT", "LR_TOO_LOW"), epochs=8,
         targets="binary", root=("BAD_INITIALIZATION", "PLATEAU"),
         description="tanh layers started at N(0, 0.001): the saddle at the origin, 8 epochs"),
    Case("tanh_slow_plateau_circles", "circles", mlp([4], "tanh", optimizer="sgd", learning_rate=0.02, **BINARY),
         "PLATEAU", ("UNDERFITTING", "LR_TOO_LOW"), epochs=40, targets="binary",
         description="a small tanh layer and plain SGD on rings: a long, slow plateau"),
    Case("small_train_gap_digits", "digits", mlp([256, 256], "tanh"), "OVERFITTING", (), epochs=60, batch_size=8,
         train_size=100, description="100 training images: accuracy gap 0.10, validation loss up only 8%"),
    Case("nan_inputs_digits", "digits", mlp([64, 32], "relu"), "NAN_INF", (), corrupt="nan_x",
         description="5% of the input cells missing (NaN), training and validation"),
    Case("nan_validation_inputs_cancer", "breast_cancer", mlp([32, 16], "relu", **BINARY), "NAN_INF", (),
         corrupt="nan_val_x", targets="binary", description="NaN in the validation inputs only"),
    Case("log_zero_targets_diabetes", "diabetes", mlp([32, 16], "relu", **REGRESSION), "NAN_INF",
         ("EXPLODING_GRADIENT",), corrupt="inf_y", targets="continuous",
         description="regression targets through log(y - min y): -Inf where y was its minimum"),
]
FAULTS += ROUND_TWO_FAULTS

HEALTHY = [
    Case("digits_relu_adam", "digits", mlp([64, 32], "relu"), description="the reference digits MLP"),
    Case("digits_sigmoid_shallow", "digits", mlp([64], "sigmoid", learning_rate=0.01),
         description="a shallow sigmoid network (a false-alarm source for published rules)"),
    Case("digits_wide_sparse_relu_sgd", "digits", mlp([256], "relu", optimizer="sgd", learning_rate=0.05, momentum=0.9),
         batch_size=16, description="a wide, sparse ReLU layer trained with momentum SGD"),
    Case("digits_deep_relu_he_bn", "digits", mlp([64] * 6, "relu", kernel_initializer="he_normal", batch_norm=True),
         description="6 ReLU layers, He init and batch normalization"),
    Case("digits_tanh_sgd", "digits", mlp([64, 64], "tanh", optimizer="sgd", learning_rate=0.05),
         description="tanh layers with plain SGD"),
    Case("cancer_relu_dropout_l2", "breast_cancer", mlp([32, 16], "relu", dropout=0.3, l2=1e-3, **BINARY),
         targets="binary", description="regularized ReLU network"),
    Case("iris_tanh_small_batch", "iris", mlp([16], "tanh", learning_rate=0.01), epochs=40, batch_size=4,
         description="noisy training with batches of 4"),
    Case("pima_keras_tutorial", "pima", mlp([12, 8], "relu", kernel_initializer=_normal(0.05), **BINARY), epochs=30,
         batch_size=10, targets="binary", description="the Keras tutorial's Pima network on standardized features"),
    Case("pima_sgd_momentum", "pima", mlp([16, 8], "relu", optimizer="sgd", learning_rate=0.01, momentum=0.9, **BINARY),
         targets="binary", description="momentum SGD on Pima"),
    Case("diabetes_regression", "diabetes", mlp([32, 16], "relu", **REGRESSION),
         targets="standardized", description="regression on standardized targets"),
    Case("digits_leaky_rmsprop", "digits", mlp([64, 64], "leaky_relu", optimizer="rmsprop",
                                               kernel_initializer="he_uniform"),
         description="LeakyReLU and RMSprop"),
    Case("cancer_sigmoid_two_layers", "breast_cancer", mlp([16, 8], "sigmoid", learning_rate=0.01, **BINARY),
         targets="binary", description="two sigmoid layers on breast cancer"),
    Case("blobs_sgd_momentum_batch1", "blobs", mlp([32], "tanh", optimizer="sgd", learning_rate=0.05, momentum=0.9),
         epochs=10, batch_size=1, description="momentum SGD, one sample per batch, on an easy problem"),
    Case("iris_sgd_momentum_batch1", "iris", mlp([16, 16], "relu", optimizer="sgd", learning_rate=0.01, momentum=0.9),
         epochs=15, batch_size=1, description="momentum SGD, one sample per batch, on iris"),
    Case("circles_relu_adam", "circles", mlp([32, 32], "relu", **BINARY), epochs=30, targets="binary",
         description="a ReLU network that solves the rings"),
    # third round: data with little signal, where a healthy network's loss ends near the prior's
    Case("weak_binary_relu_adam", "weak_binary", mlp([32, 32], "relu", **BINARY), targets="binary",
         description="a weak signal: no model gets the loss far below the prior's on unseen rows"),
    Case("weak_regression_relu_adam", "weak_regression", mlp([32, 32], "relu", **REGRESSION), epochs=5,
         targets="standardized", description="a regression with R² about 0.13 on unseen rows, 5 epochs (where "
                                             "early stopping ends it)"),
]

# Held-out set-ups, written after every threshold above was frozen and never used to tune one:
# they estimate how the detectors do on faults they were not calibrated on.
HELD_OUT_FAULTS = [
    Case("held_sigmoid_stack_9_pima", "pima", mlp([16] * 9, "sigmoid", optimizer="sgd", learning_rate=0.1, **BINARY),
         "VANISHING_GRADIENT", ("PLATEAU", "UNDERFITTING", "LR_TOO_LOW"), targets="binary"),
    Case("held_relu_normal15_iris", "iris", mlp([32] * 5, "relu", optimizer="sgd", learning_rate=0.01,
                                                kernel_initializer=_normal(1.5)),
         "EXPLODING_GRADIENT", ("NAN_INF", "BAD_INITIALIZATION", "LR_TOO_HIGH", "DYING_RELU", "UNDERFITTING",
                                "PLATEAU"), epochs=30, batch_size=16, root=("BAD_INITIALIZATION",)),
    Case("held_relu_bias_minus2_pima", "pima", mlp([32, 32], "relu", bias_initializer=initializers.Constant(-2.0),
                                                   **BINARY),
         "DYING_RELU", ("BAD_INITIALIZATION", "PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"), targets="binary",
         root=("BAD_INITIALIZATION",)),
    Case("held_sigmoid_normal8_cancer", "breast_cancer", mlp([32], "sigmoid", kernel_initializer=_normal(8.0),
                                                             **BINARY),
         "SATURATION", ("BAD_INITIALIZATION", "VANISHING_GRADIENT", "UNDERFITTING", "PLATEAU", "OVERFITTING"),
         targets="binary", root=("BAD_INITIALIZATION",)),
    Case("held_adam_lr2_digits", "digits", mlp([64], "relu", learning_rate=2.0),
         "LR_TOO_HIGH", ("NAN_INF", "EXPLODING_GRADIENT", "DYING_RELU", "PLATEAU", "UNDERFITTING")),
    Case("held_adam_lr3e-6_pima", "pima", mlp([16, 8], "relu", learning_rate=3e-6, **BINARY),
         "LR_TOO_LOW", ("UNDERFITTING", "PLATEAU"), targets="binary"),
    Case("held_sigmoid3_plain_sgd_cancer", "breast_cancer", mlp([16, 16, 16], "sigmoid", optimizer="sgd",
                                                                learning_rate=0.02, **BINARY),
         "PLATEAU", ("UNDERFITTING", "LR_TOO_LOW", "VANISHING_GRADIENT"), targets="binary"),
    Case("held_tiny_digits_tanh", "digits", mlp([256] * 3, "tanh"), "OVERFITTING", (), epochs=60, batch_size=8,
         train_size=80),
    Case("held_two_units_digits", "digits", mlp([2], "relu"), "UNDERFITTING", ("PLATEAU", "DYING_RELU")),
    Case("held_cancer_raw_relu", "breast_cancer", mlp([32], "relu", **BINARY), "UNNORMALIZED_INPUT",
         ("UNDERFITTING", "PLATEAU", "DYING_RELU", "LR_TOO_HIGH", "EXPLODING_GRADIENT", "OVERFITTING"),
         scaling="raw", targets="binary"),
    Case("held_cancer_raw_linear_mse", "breast_cancer", mlp([16], None, optimizer="sgd", learning_rate=0.01,
                                                            **REGRESSION),
         "NAN_INF", ("UNNORMALIZED_INPUT", "LR_TOO_HIGH", "EXPLODING_GRADIENT"), scaling="raw",
         targets="continuous_binary", root=("UNNORMALIZED_INPUT",)),
    Case("held_linear_output_sparse_iris", "iris", mlp([16], "relu", output_activation=None),
         "LOSS_ACTIVATION_MISMATCH",
         ("UNDERFITTING", "PLATEAU", "NAN_INF"), epochs=30, batch_size=16),
    Case("held_zeros_tanh_cancer", "breast_cancer", mlp([16, 16], "tanh", kernel_initializer="zeros", **BINARY),
         "BAD_INITIALIZATION", ("PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"), targets="binary"),
]

HELD_OUT_HEALTHY = [
    Case("held_iris_relu_adam", "iris", mlp([32, 16], "relu", learning_rate=0.01), epochs=40, batch_size=8),
    Case("held_cancer_tanh_momentum", "breast_cancer", mlp([16], "tanh", optimizer="sgd", learning_rate=0.01,
                                                           momentum=0.9, **BINARY), targets="binary"),
    Case("held_digits_dropout_rmsprop", "digits", mlp([128], "relu", optimizer="rmsprop", dropout=0.2)),
    Case("held_pima_he_bn", "pima", mlp([32, 16], "relu", kernel_initializer="he_normal", batch_norm=True, **BINARY),
         targets="binary"),
    Case("held_diabetes_tanh", "diabetes", mlp([16], "tanh", learning_rate=0.005, **REGRESSION),
         targets="standardized"),
]

# Held out in the second round: written after the second round's thresholds (PLATEAU near the start,
# all-positive ReLU kernels, memorized-set overfitting, the validation-loss noise floor, non-finite data)
# were frozen, and never used to tune one.
HELD_OUT_ROUND_TWO_FAULTS = [
    Case("held_dead_relu_positive_init_iris", "iris", mlp([32, 32], "relu",
                                                          kernel_initializer=initializers.RandomUniform(0.0, 0.2)),
         "DYING_RELU", ("BAD_INITIALIZATION", "PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"), scaling="negative",
         epochs=30, batch_size=16, root=("BAD_INITIALIZATION", "DYING_RELU")),
    Case("held_dead_relu_positive_init_blobs", "blobs", mlp([16], "relu",
                                                            kernel_initializer=initializers.RandomUniform(0.0, 0.05)),
         "DYING_RELU", ("BAD_INITIALIZATION", "PLATEAU", "UNDERFITTING", "VANISHING_GRADIENT"), scaling="negative",
         root=("BAD_INITIALIZATION", "DYING_RELU")),
    Case("held_saddle_small_init_digits", "digits", mlp([32, 32], "tanh", optimizer="sgd", learning_rate=0.05,
                                                        kernel_initializer=_normal(1e-3)),
         "PLATEAU", ("BAD_INITIALIZATION", "UNDERFITTING", "VANISHING_GRADIENT", "LR_TOO_LOW"), epochs=8,
         root=("BAD_INITIALIZATION", "PLATEAU")),
    Case("held_tanh_slow_plateau_circles", "circles", mlp([6, 6], "tanh", optimizer="sgd", learning_rate=0.01,
                                                          **BINARY),
         "PLATEAU", ("UNDERFITTING", "LR_TOO_LOW", "VANISHING_GRADIENT"), epochs=30, targets="binary"),
    Case("held_small_train_gap_pima", "pima", mlp([256, 256], "tanh", **BINARY), "OVERFITTING", (), epochs=60,
         batch_size=8, train_size=80, targets="binary"),
    Case("held_small_train_gap_digits_sgd", "digits", mlp([128], "relu", optimizer="sgd", learning_rate=0.05,
                                                          momentum=0.9), "OVERFITTING", (), epochs=60, batch_size=4,
         train_size=60),
    Case("held_nan_inputs_iris", "iris", mlp([16], "relu"), "NAN_INF", (), epochs=30, batch_size=16, corrupt="nan_x"),
    Case("held_inf_inputs_cancer", "breast_cancer", mlp([16], "tanh", **BINARY), "NAN_INF", (), targets="binary",
         corrupt="inf_x"),
    Case("held_log_zero_targets_tanh", "diabetes", mlp([16], "tanh", **REGRESSION), "NAN_INF", ("EXPLODING_GRADIENT",),
         targets="continuous", corrupt="inf_y"),
]

HELD_OUT_ROUND_TWO_HEALTHY = [
    Case("held_circles_sgd_momentum_batch1", "circles", mlp([16, 16], "relu", optimizer="sgd", learning_rate=0.02,
                                                            momentum=0.9, **BINARY),
         epochs=10, batch_size=1, targets="binary"),
    Case("held_iris_adam_batch1", "iris", mlp([16], "tanh", learning_rate=0.01), epochs=15, batch_size=1),
    Case("held_blobs_momentum_batch2", "blobs", mlp([32], "relu", optimizer="sgd", learning_rate=0.05, momentum=0.9),
         epochs=10, batch_size=2),
    Case("held_digits_tanh_batch4", "digits", mlp([64], "tanh"), epochs=5, batch_size=4),
]

# Held out in the third round: written after the held-out reference's SIGNAL_GAP (progress.py) was frozen on
# the calibration cases above (weak_binary, weak_regression) and the session's synthetic probes, and never used
# to tune it. Healthy networks on tables with little signal, and a plateau on one.
HELD_OUT_ROUND_THREE_FAULTS = [
    Case("held_sigmoid_plain_sgd_noisy_digits", "noisy_digits", mlp([32, 32], "sigmoid", optimizer="sgd",
                                                                    learning_rate=0.01),
         "PLATEAU", ("UNDERFITTING", "LR_TOO_LOW", "VANISHING_GRADIENT")),
]

HELD_OUT_ROUND_THREE_HEALTHY = [
    Case("held_noisy_cancer_tanh_momentum", "noisy_cancer", mlp([16], "tanh", optimizer="sgd", learning_rate=0.01,
                                                                momentum=0.9, **BINARY), targets="binary"),
    Case("held_noisy_digits_relu_adam", "noisy_digits", mlp([64, 32], "relu")),
    Case("held_rare_positives_relu_adam", "rare_positives", mlp([32, 16], "relu", **BINARY), epochs=30,
         targets="binary"),
    Case("held_weak_regression_tanh", "weak_regression", mlp([16], "tanh", learning_rate=0.005, **REGRESSION),
         targets="standardized"),
    # Written as saddles (faults, PLATEAU expected); run, both escaped: the training loss ended 20.6% below the
    # prior's on Pima, and 6.3% below it on noisy_cancer, where 35% flipped labels allow at most 6.2% (the entropy
    # of 0.35 against the prior's). Healthy by their numbers, moved here after that first run; BENCHMARKS.md
    # reports the round as written and as moved.
    Case("held_saddle_small_init_pima", "pima", mlp([16, 16], "tanh", optimizer="sgd", learning_rate=0.05,
                                                    kernel_initializer=_normal(1e-3), **BINARY), targets="binary"),
    Case("held_saddle_small_init_noisy_cancer", "noisy_cancer", mlp([16, 16], "tanh", optimizer="sgd",
                                                                    learning_rate=0.05,
                                                                    kernel_initializer=_normal(1e-3), **BINARY),
         targets="binary"),
]
