"""Precision, recall, F1 and PR-AUC as Keras metric objects in compile, evaluated after training.

Keras imports, replaced below:
    import numpy as np
    import keras
    from sklearn.preprocessing import StandardScaler
"""
import numpy as np
import gradwise as keras
from sklearn.preprocessing import StandardScaler

data = np.loadtxt('pima-indians-diabetes.csv', delimiter=',')
x = StandardScaler().fit_transform(data[:, :8])
y = data[:, 8:9]

model = keras.Sequential([
    keras.Input(shape=(8,)),
    keras.layers.Dense(16, activation='relu'),
    keras.layers.Dense(1, activation='sigmoid'),
])
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-2),
    loss='binary_crossentropy',
    metrics=[
        keras.metrics.Precision(name='precision'),
        keras.metrics.Recall(name='recall'),
        keras.metrics.F1Score(threshold=0.5, name='f1'),
        keras.metrics.AUC(curve='PR', name='prc'),
        keras.metrics.PrecisionAtRecall(0.5, name='precision_at_recall'),
    ],
)
history = model.fit(x, y, batch_size=32, epochs=20, validation_split=0.2, verbose=0)
results = model.evaluate(x, y, verbose=0, return_dict=True)
for name, value in results.items():
    print(name, ':', value)
predictions = model.predict(x, verbose=0)
