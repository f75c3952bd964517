"""The one error a gradwise loader raises for a file it cannot read."""


class ModelFileError(ValueError):
    """A file is not a readable gradwise model or weights file.

    Raised for a missing, empty, truncated or corrupt file, a folder, a file of another
    format (a Keras ``.h5``, a pickle, a zip of something else) and a file written by a
    newer gradwise. The message names the file and the problem.
    """

    def __init__(self, source, problem):
        self.source = source
        self.problem = problem
        super().__init__(f"Cannot load {source}: {problem}")
