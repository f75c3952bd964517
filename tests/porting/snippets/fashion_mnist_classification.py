"""Basic classification: classify images of clothing (the TensorFlow/Keras beginner tutorial, Keras 3 form).

Keras imports, replaced below:
    import keras
    import numpy as np
"""
import gradwise as keras
import numpy as np

fashion_mnist = keras.datasets.fashion_mnist

(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
train_images, train_labels = train_images[:3000], train_labels[:3000]  # corpus: smaller run
test_images, test_labels = test_images[:2000], test_labels[:2000]  # corpus: smaller run

class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
               'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']

train_images = train_images / 255.0

test_images = test_images / 255.0

model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dense(10)
])

model.compile(optimizer='adam',
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])

model.fit(train_images, train_labels, epochs=2, verbose=0)  # corpus: epochs=10, verbose shown

test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)

print('\nTest accuracy:', test_acc)

# corpus: the tutorial predicts through keras.Sequential([model, keras.layers.Softmax()]); a model used
# as a layer comes with the graph engine, so the logits are predicted directly here.
predictions = model.predict(test_images, verbose=0)
print(class_names[np.argmax(predictions[0])])
