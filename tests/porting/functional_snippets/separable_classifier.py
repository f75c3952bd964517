"""Image classification from scratch (the Keras code example): the small Xception-like
classifier of SeparableConv2D blocks with residual connections, binary logits.

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers
from sklearn.datasets import load_digits  # corpus: digits 0 and 1 in place of the Cats vs Dogs images

image_size = (8, 8)  # corpus: the digits' size (the example: (180, 180))
digits = load_digits(n_class=2)  # corpus:
images = (digits.images[..., None] * 16).repeat(3, axis=-1).astype("float32")  # corpus: 0-255 pixels, RGB
labels = digits.target.astype("float32")  # corpus:
train_images, val_images = images[:300], images[300:]  # corpus:
train_labels, val_labels = labels[:300], labels[300:]  # corpus:


def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)

    # Entry block
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(128, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    for size in [256, 512, 728]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    x = layers.SeparableConv2D(1024, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        units = 1
    else:
        units = num_classes

    x = layers.Dropout(0.25)(x)
    # We specify linear activation since we don't apply sigmoid
    x = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, x)


model = make_model(input_shape=image_size + (3,), num_classes=2)

epochs = 2  # corpus: smaller run (the example: 25)

model.compile(
    optimizer=keras.optimizers.Adam(3e-4),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy(name="acc")],
)
history = model.fit(  # corpus: the History kept for the checks
    train_images, train_labels, batch_size=32,  # corpus: arrays in place of the tf.data pipeline
    epochs=epochs,
    validation_data=(val_images, val_labels),  # corpus: arrays in place of the tf.data pipeline
)

img_array = np.expand_dims(val_images[0], 0)  # Create batch axis  # corpus: an image of the validation set
predictions = model.predict(img_array)
score = float(1 / (1 + np.exp(-predictions[0][0])))  # corpus: NumPy's sigmoid for keras.ops.sigmoid
print(f"This image is {100 * (1 - score):.2f}% zero and {100 * score:.2f}% one.")
