"""Classifiers: every signal that scores content against the 17 categories.

Each one follows the same small contract (:class:`classifiers.base.Classifier`)
and is listed once in :mod:`classifiers.registry`.
"""
