"""Your first neural network with Keras, on the Pima diabetes data (the source documents' tutorial).

Keras imports, replaced below:
    from numpy import loadtxt
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense
"""
from numpy import loadtxt
from gradwise.models import Sequential
from gradwise.layers import Dense

# load the dataset
dataset = loadtxt('pima-indians-diabetes.csv', delimiter=',')
# split into input (X) and output (y) variables
X = dataset[:, 0:8]
y = dataset[:, 8]
# define the keras model
model = Sequential()
model.add(Dense(12, input_shape=(8,), activation='relu'))
model.add(Dense(8, activation='relu'))
model.add(Dense(1, activation='sigmoid'))
# compile the keras model
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
# fit the keras model on the dataset
model.fit(X, y, epochs=30, batch_size=10, verbose=0)  # corpus: 150 epochs in the tutorial
# evaluate the keras model
_, accuracy = model.evaluate(X, y, verbose=0)
print('Accuracy: %.2f' % (accuracy * 100))
# make class predictions with the model
predictions = (model.predict(X, verbose=0) > 0.5).astype(int)
for i in range(5):
    print('%s => %d (expected %d)' % (X[i].tolist(), predictions[i][0], y[i]))  # corpus: [0], NumPy 2 (Keras too)
