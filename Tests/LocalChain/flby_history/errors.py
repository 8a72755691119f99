"""The generator's own failure."""


class GeneratorError(Exception):
    """The chain disagrees with the ledger, or the generator cannot go on."""
