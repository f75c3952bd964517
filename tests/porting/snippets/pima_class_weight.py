"""Imbalanced classes: class_weight in fit, and recall/precision as metric names (a common Keras recipe).

Keras imports, replaced below:
    import numpy as np
    from sklearn.utils import class_weight
    from sklearn.preprocessing import StandardScaler
    from tensorflow import keras
"""
import numpy as np
from sklearn.utils import class_weight
from sklearn.preprocessing import StandardScaler
import gradwise as keras

data = np.loadtxt('pima-indians-diabetes.csv', delimiter=',')
X = StandardScaler().fit_transform(data[:, :8])
y = data[:, 8].astype(int)

weights = class_weight.compute_class_weight(class_weight='balanced', classes=np.unique(y), y=y)
class_weights = dict(enumerate(weights))
print(class_weights)

model = keras.Sequential([
    keras.layers.Dense(16, activation='relu', input_shape=(X.shape[1],)),
    keras.layers.Dense(1, activation='sigmoid'),
])
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy', 'precision', 'recall'])
history = model.fit(X, y, epochs=20, batch_size=32, class_weight=class_weights, verbose=0)
results = model.evaluate(X, y, verbose=0, return_dict=True)
print(results)
predicted = (model.predict(X, verbose=0) > 0.5).astype(int).ravel()
