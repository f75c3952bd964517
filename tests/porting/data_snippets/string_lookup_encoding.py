"""StringLookup as the Keras preprocessing-layers guide writes it: one-hot categorical features,
then multi-hot bags of words for text, each feeding a small classifier (the training and
prediction at the end are added, lines marked # corpus:).

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

# Define some toy data
data = np.array([["a"], ["b"], ["c"], ["b"], ["c"], ["a"]])

# Use StringLookup to build an index of the feature values and encode output.
lookup = layers.StringLookup(output_mode="one_hot")
lookup.adapt(data)

# Convert new test data (which includes unknown feature values)
test_data = np.array([["a"], ["b"], ["c"], ["d"], ["e"], [""]])
encoded_data = lookup(test_data)
print(encoded_data)

# Text: tokens padded with the mask token, encoded as multi-hot bags of words
reviews = np.array([  # corpus: a toy review set
    ["a", "great", "movie", ""], ["great", "acting", "", ""], ["loved", "it", "", ""],
    ["a", "bad", "movie", ""], ["boring", "and", "bad", ""], ["hated", "it", "", ""],
    ["great", "fun", "loved", "it"], ["bad", "boring", "movie", ""],
] * 8)
labels = np.array([1, 1, 1, 0, 0, 0, 1, 0] * 8)  # corpus:
vectorizer = layers.StringLookup(mask_token="", output_mode="multi_hot")
vectorizer.adapt(reviews)
bags = vectorizer(reviews)  # corpus:
model = keras.Sequential([keras.Input(shape=(vectorizer.vocabulary_size(),)),  # corpus:
                          layers.Dense(1, activation="sigmoid")])  # corpus:
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])  # corpus:
history = model.fit(bags, labels, epochs=30, verbose=0)  # corpus:
predictions = model.predict(vectorizer(np.array([["great", "movie", "", ""], ["so", "boring", "", ""]])),  # corpus:
                            verbose=0)  # corpus:
