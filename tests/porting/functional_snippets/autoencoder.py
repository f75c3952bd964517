"""The guide's "all models are callable, just like layers": an encoder model and a decoder model, chained
into an autoencoder by calling them on tensors.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

encoder_input = keras.Input(shape=(28, 28, 1), name="original_img")
x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
x = layers.Conv2D(8, 3, activation="relu")(x)  # corpus: 32 filters, then MaxPooling2D(3) and two more Conv2D
encoder_output = layers.GlobalMaxPooling2D()(x)

encoder = keras.Model(encoder_input, encoder_output, name="encoder")
encoder.summary()

decoder_input = keras.Input(shape=(8,), name="encoded_img")  # corpus: shape=(16,)
x = layers.Dense(64, activation="relu")(decoder_input)  # corpus: Reshape((4, 4, 1)) and Conv2DTranspose layers
x = layers.Dense(28 * 28)(x)  # corpus: (Conv2DTranspose and UpSampling2D are not built yet)
decoder_output = layers.Reshape((28, 28, 1))(x)  # corpus:

decoder = keras.Model(decoder_input, decoder_output, name="decoder")
decoder.summary()

autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
encoded_img = encoder(autoencoder_input)
decoded_img = decoder(encoded_img)
autoencoder = keras.Model(autoencoder_input, decoded_img, name="autoencoder")
autoencoder.summary()

images = np.random.default_rng(0).uniform(size=(32, 28, 28, 1)).astype("float32")  # corpus: synthetic images
autoencoder.compile(optimizer="adam", loss="mse")  # corpus: the guide stops at summary()
history = autoencoder.fit(images, images, epochs=2, batch_size=16)  # corpus:
reconstructions = autoencoder.predict(images[:4])  # corpus:
codes = encoder.predict(images[:4])  # corpus: the encoder trained with the autoencoder
