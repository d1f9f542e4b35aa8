"""Data-pipeline candidates for TensorFlow (docs/data-pipeline.md), in the
TensorFlow worker: tf.io.decode_csv for csv_parse and tf.image for
image_augment, each inside a tf.function (graph mode), as a tf.data
pipeline would run them."""

from __future__ import annotations

import numpy as np

from worthit.backends._common import PACKAGE, add
from worthit.candidate import Prepared, RunContext

SRC = [f"{PACKAGE}/backends/pipeline_tensorflow_candidates.py"]


def setup(threads: int) -> None:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # already initialised; TF_NUM_*_THREADS were set before import
    tf.config.set_visible_devices([], "GPU")


def _publish(outputs: list[np.ndarray], holder: list):
    def publish() -> None:
        np.copyto(outputs[0], holder[0].numpy().reshape(outputs[0].shape))

    return publish


def csv_tf(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    import tensorflow as tf

    cols = outputs[0].shape[1]
    content = tf.constant(inputs[0].tobytes())  # the file's bytes, as tf.io.read_file gives them
    defaults = [tf.constant([], tf.float32)] * cols  # every field required, float32

    @tf.function
    def parse(text):
        lines = tf.strings.split(text, "\n")[1:]  # drop the header
        lines = lines[: tf.size(lines) - 1]  # and the empty string after the final newline
        return tf.stack(tf.io.decode_csv(lines, record_defaults=defaults), axis=1)

    holder: list = [None]
    parse(content)  # trace once, untimed

    def run() -> None:
        holder[0] = parse(content)

    return Prepared(run, _publish(outputs, holder))


def augment_tf(inputs: list[np.ndarray], outputs: list[np.ndarray], ctx: RunContext) -> Prepared:
    import tensorflow as tf

    images, params = tf.constant(inputs[0]), tf.constant(inputs[1])
    mean, std = tf.constant(inputs[2]), tf.constant(inputs[3])
    crop = int(outputs[0].shape[2])

    def one(args):
        img, p = args
        img = tf.image.crop_to_bounding_box(img, p[0], p[1], crop, crop)
        return tf.cond(p[2] > 0, lambda: tf.image.flip_left_right(img), lambda: img)

    @tf.function
    def augment(images, params):
        cropped = tf.map_fn(one, (images, params), fn_output_signature=tf.TensorSpec([crop, crop, 3], tf.uint8))
        x = (tf.image.convert_image_dtype(cropped, tf.float32) - mean) / std
        return tf.transpose(x, [0, 3, 1, 2])

    holder: list = [None]
    augment(images, params)  # trace once, untimed

    def run() -> None:
        holder[0] = augment(images, params)

    return Prepared(run, _publish(outputs, holder))


add("csv_parse", "tf-decode-csv", "tensorflow", csv_tf, language="python", framework=True,
    requires=("tensorflow",), sources=SRC, toolchains=["tensorflow"],
    description="tf.strings.split + tf.io.decode_csv(float32) in a tf.function")
add("image_augment", "tf-image", "tensorflow", augment_tf, language="python", framework=True,
    requires=("tensorflow",), sources=SRC, toolchains=["tensorflow"],
    description="tf.map_fn over tf.image crop_to_bounding_box/flip_left_right, batched normalize, tf.function")
