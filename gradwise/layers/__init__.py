"""Layers with Keras names, arguments and defaults."""

from .. import _checks, registry
from .base import Layer
from .dense import Dense
from .input_layer import Input
from .input_layer import Input as InputLayer  # Keras's class of a graph's model.layers[0]
from .activation import ELU, Activation, LeakyReLU, ReLU, Softmax
from .prelu import PReLU
from .attention import Attention
from .multi_head_attention import MultiHeadAttention
from .identity import ActivityRegularization, Identity
from .batch_norm import BatchNormalization
from .layer_norm import LayerNormalization, RMSNormalization
from .group_norm import GroupNormalization
from .unit_norm import UnitNormalization
from .dropout import Dropout
from .flatten import Flatten
from .rescaling import Rescaling
from .reshape import Reshape
from .spatial_dropout import SpatialDropout1D, SpatialDropout2D
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .permute import Permute
from .repeat_vector import RepeatVector
from .conv1d import Conv1D
from .conv2d import Conv2D
from .conv2d_transpose import Conv2DTranspose
from .depthwise_conv2d import DepthwiseConv2D
from .separable_conv2d import SeparableConv2D
from .zero_padding2d import ZeroPadding2D
from .cropping2d import Cropping2D
from .upsampling2d import UpSampling2D
from .steps_1d import Cropping1D, UpSampling1D, ZeroPadding1D
from .global_pooling import GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D
from .pooling1d import AveragePooling1D, MaxPooling1D
from .pooling2d import AveragePooling2D, MaxPooling2D
from .lambda_layer import Lambda
from .merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract
from .embedding import Embedding
from .masking import Masking
from .simple_rnn import SimpleRNN
from .lstm import LSTM
from .gru import GRU
from .rnn import RNN, GRUCell, LSTMCell, SimpleRNNCell
from .stacked_rnn import StackedRNN, StackedRNNCells
from .cell_rnn import CellRNN, CellStep
from .bidirectional import Bidirectional
from .time_distributed import TimeDistributed
from .preprocessing import (CategoryEncoding, Discretization, Hashing, IntegerLookup, MeanImputation, Normalization,
                            PiecewiseLinearEncoding, StringLookup)
from .augmentation import RandomContrast, RandomCrop, RandomFlip, RandomRotation, RandomTranslation, RandomZoom
from .merge import add, average, concatenate, dot, maximum, minimum, multiply, subtract

# Keras's other names for the same classes (a saved model names the class itself)
Convolution1D, Convolution2D, Convolution2DTranspose = Conv1D, Conv2D, Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D

__all__ = ["Layer", "Input", "Dense", "serialize", "deserialize", "register"]
__all__ += ["BatchNormalization", "Dropout", "SpatialDropout1D", "SpatialDropout2D"]
__all__ += ["Rescaling", "Flatten", "Reshape", "Permute", "RepeatVector"]
__all__ += ["GaussianNoise", "GaussianDropout", "AlphaDropout"]
__all__ += ["LayerNormalization", "RMSNormalization", "GroupNormalization", "UnitNormalization"]
__all__ += ["Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU", "Identity", "ActivityRegularization"]
__all__ += ["Conv1D", "Conv2D", "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D"]
__all__ += ["Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "ZeroPadding2D", "Cropping2D", "UpSampling2D"]
__all__ += ["GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D"]
__all__ += ["ZeroPadding1D", "Cropping1D", "UpSampling1D"]
__all__ += ["Lambda"]
__all__ += ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"]
__all__ += ["Attention", "MultiHeadAttention"]
__all__ += ["Embedding", "Masking", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed"]
__all__ += ["RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", "StackedRNN", "CellRNN", "CellStep"]
__all__ += ["Normalization", "StringLookup", "IntegerLookup", "CategoryEncoding", "Discretization", "Hashing",
            "MeanImputation", "PiecewiseLinearEncoding"]
__all__ += ["RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomContrast", "RandomCrop"]
__all__ += ["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]
__all__ += ["Convolution1D", "Convolution2D", "Convolution2DTranspose", "SeparableConvolution2D", "MaxPool1D",
            "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalAvgPool1D",
            "GlobalAvgPool2D"]


_REGISTRY = registry.View("layer", lambda cls: cls.__name__)  # gradwise's own layers, by class name


def register(cls):
    """Make a layer class known to deserialize (and so to saved models). Subclassing Layer
    already registers a class; this decorator stays for code written for it."""
    return registry.register("layer", cls)


def serialize(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config):
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A layer config must be a dict with 'class_name' and 'config', got {config!r}.")
    cls = registry.lookup("layer", config["class_name"])
    return cls.from_config(dict(config.get("config", {})))
