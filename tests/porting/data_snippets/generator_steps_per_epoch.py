"""A Python generator with steps_per_epoch and validation_steps, as Keras examples wrote
fit_generator code once `fit` took generators (Pima diabetes, the guide's first network).

Keras imports, replaced below:
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
"""
import numpy as np
from gradwise.models import Sequential
from gradwise.layers import Dense

dataset = np.loadtxt("pima-indians-diabetes.csv", delimiter=",")
X = dataset[:, 0:8]
y = dataset[:, 8]
X = (X - X[:600].mean(axis=0)) / X[:600].std(axis=0)
X_train, y_train, X_val, y_val = X[:600], y[:600], X[600:], y[600:]


def generate_batches(features, labels, batch_size):
    while True:
        order = np.random.permutation(len(features))
        for start in range(0, len(features) - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            yield features[index], labels[index]


batch_size = 20
model = Sequential()
model.add(Dense(12, input_shape=(8,), activation="relu"))
model.add(Dense(8, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(generate_batches(X_train, y_train, batch_size),
                    steps_per_epoch=len(X_train) // batch_size,
                    epochs=20,  # corpus: 20 epochs
                    validation_data=generate_batches(X_val, y_val, 24),
                    validation_steps=len(X_val) // 24,
                    verbose=0)
_, accuracy = model.evaluate(X_val, y_val, verbose=0)
predictions = (model.predict(X_val, verbose=0) > 0.5).astype(int)
