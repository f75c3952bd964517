"""One model applied to two inputs (the guide's shared layers, with a whole model shared): a tower embeds each
input of a pair, and a head judges the pair from the difference of the two embeddings.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

tower_input = keras.Input(shape=(10,))
x = layers.Dense(16, activation="relu")(tower_input)
tower_output = layers.Dense(8, activation="tanh")(x)
tower = keras.Model(tower_input, tower_output, name="tower")

input_a = keras.Input(shape=(10,), name="a")
input_b = keras.Input(shape=(10,), name="b")
embedding_a = tower(input_a)
embedding_b = tower(input_b)
difference = layers.subtract([embedding_a, embedding_b])
distance = layers.multiply([difference, difference])
outputs = layers.Dense(1, activation="sigmoid")(distance)
siamese = keras.Model(inputs=[input_a, input_b], outputs=outputs, name="siamese")
siamese.summary()

rng = np.random.default_rng(0)  # corpus: synthetic pairs, the same class when the first features agree in sign
pairs_a = rng.normal(size=(256, 10)).astype("float32")  # corpus:
pairs_b = rng.normal(size=(256, 10)).astype("float32")  # corpus:
same = (np.sign(pairs_a[:, 0]) == np.sign(pairs_b[:, 0])).astype("float32")  # corpus:

siamese.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
history = siamese.fit([pairs_a, pairs_b], same, epochs=15, batch_size=32, verbose=0)  # corpus: 15 epochs
predictions = siamese.predict({"a": pairs_a[:5], "b": pairs_b[:5]})  # corpus:
