"""Wide & deep regression with two inputs and an auxiliary output (Hands-On Machine Learning, chapter 10): a
tuple of arrays per input and per output, and loss weights favouring the main output.

Keras imports, replaced below:
    from tensorflow import keras
"""
import numpy as np
import gradwise as keras

rng = np.random.default_rng(42)  # corpus: synthetic housing-like data instead of fetch_california_housing
X_train = rng.normal(size=(600, 8)).astype("float32")  # corpus:
y_train = (X_train[:, 0] * 2 + X_train[:, 5] ** 2 - X_train[:, 7]).reshape(-1, 1)  # corpus:
X_valid, y_valid = X_train[:100], y_train[:100]  # corpus:
X_test, y_test = X_train[100:150], y_train[100:150]  # corpus:
X_train_A, X_train_B = X_train[:, :5], X_train[:, 2:]
X_valid_A, X_valid_B = X_valid[:, :5], X_valid[:, 2:]
X_test_A, X_test_B = X_test[:, :5], X_test[:, 2:]
X_new_A, X_new_B = X_test_A[:3], X_test_B[:3]

input_A = keras.layers.Input(shape=[5], name="wide_input")
input_B = keras.layers.Input(shape=[6], name="deep_input")
hidden1 = keras.layers.Dense(30, activation="relu")(input_B)
hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
concat = keras.layers.concatenate([input_A, hidden2])
output = keras.layers.Dense(1, name="main_output")(concat)
aux_output = keras.layers.Dense(1, name="aux_output")(hidden2)
model = keras.models.Model(inputs=[input_A, input_B], outputs=[output, aux_output])

model.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1], optimizer=keras.optimizers.SGD(learning_rate=1e-3))
history = model.fit([X_train_A, X_train_B], [y_train, y_train], epochs=10,  # corpus: epochs=20
                    validation_data=([X_valid_A, X_valid_B], [y_valid, y_valid]))

total_loss, main_loss, aux_loss = model.evaluate(
    [X_test_A, X_test_B], [y_test, y_test])
y_pred_main, y_pred_aux = model.predict([X_new_A, X_new_B])
