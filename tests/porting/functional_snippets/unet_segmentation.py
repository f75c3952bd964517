"""Image segmentation with a U-Net-like architecture (the Keras code example on Oxford Pets):
SeparableConv2D blocks down, Conv2DTranspose and UpSampling2D blocks up, residual additions.

Keras imports, replaced below:
    import keras
    import numpy as np
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

img_size = (32, 32)  # corpus: smaller images (the example: (160, 160))
num_classes = 3
batch_size = 8  # corpus: smaller batches (the example: 32)


def get_model(img_size, num_classes):
    inputs = keras.Input(shape=img_size + (3,))

    ### [First half of the network: downsampling inputs] ###

    # Entry block
    x = layers.Conv2D(32, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    # Blocks 1, 2, 3 are identical apart from the feature depth.
    for filters in [64, 128, 256]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    ### [Second half of the network: upsampling inputs] ###

    for filters in [256, 128, 64, 32]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.UpSampling2D(2)(x)

        # Project residual
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    # Add a per-pixel classification layer
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)

    # Define the model
    model = keras.Model(inputs, outputs)
    return model


# Build model
model = get_model(img_size, num_classes)
model.summary()

# corpus: synthetic images and trimaps in place of Oxford Pets: a bright square (class 1) with its border (class 2)
rng = np.random.default_rng(0)  # corpus:
train_images = rng.uniform(0, 0.3, size=(16, *img_size, 3)).astype("float32")  # corpus:
train_targets = np.zeros((16, *img_size, 1), dtype="int64")  # corpus:
for image, target, (row, col) in zip(train_images, train_targets, rng.integers(4, 20, size=(16, 2))):  # corpus:
    target[row - 2:row + 10, col - 2:col + 10] = 2  # corpus:
    target[row:row + 8, col:col + 8] = 1  # corpus:
    image[row:row + 8, col:col + 8] += 0.7  # corpus:

# Configure the model for training.
# We use the "sparse" version of categorical_crossentropy
# because our target data is integers.
model.compile(
    optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy"
)

callbacks = [
    keras.callbacks.ModelCheckpoint("oxford_segmentation.keras", save_best_only=True)
]

# Train the model, doing validation at the end of each epoch.
epochs = 2  # corpus: smaller run (the example: 50)
history = model.fit(  # corpus: the History kept for the checks
    train_images[:12], train_targets[:12], batch_size=batch_size,  # corpus: arrays in place of the tf.data pipeline
    epochs=epochs,
    validation_data=(train_images[12:], train_targets[12:]),  # corpus: arrays in place of the tf.data pipeline
    callbacks=callbacks,
    verbose=2,
)

# Generate predictions for all images in the validation set
val_preds = model.predict(train_images[12:])  # corpus: arrays in place of the tf.data pipeline
mask = np.argmax(val_preds[0], axis=-1)
