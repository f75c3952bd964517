"""The guide's feature extraction: a model whose outputs are every layer's outputs of another model, built from
the graph of layer calls (``layer.output``) without running anything.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

inputs = keras.Input(shape=(16, 16, 3))  # corpus: vgg19 = keras.applications.VGG19() is not built
x = layers.Conv2D(8, 3, activation="relu", name="block1_conv1")(inputs)  # corpus: a small stand-in for it
x = layers.MaxPooling2D(2, name="block1_pool")(x)  # corpus:
x = layers.Conv2D(16, 3, activation="relu", name="block2_conv1")(x)  # corpus:
x = layers.GlobalAveragePooling2D(name="avg_pool")(x)  # corpus:
vgg19 = keras.Model(inputs, layers.Dense(10, activation="softmax", name="predictions")(x))  # corpus:
images = np.random.random((32, 16, 16, 3)).astype("float32")  # corpus: "pretrained" briefly on random images
vgg19.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # corpus:
history = vgg19.fit(images, np.random.randint(10, size=32), epochs=1, verbose=0)  # corpus:

features_list = [layer.output for layer in vgg19.layers]

feat_extraction_model = keras.Model(inputs=vgg19.input, outputs=features_list)

img = np.random.random((3, 16, 16, 3)).astype("float32")  # corpus: (1, 224, 224, 3)
extracted_features = feat_extraction_model(img)
