"""Synthetic people for tests and the quick start: articulated poses (``pose``) and their rendering (``render``).

``script/make_synthetic_dataset.py`` writes them in the exact on-disk formats of DeepFashion and
Market-1501, so that the real loaders read them.
"""
