"""Synthetic data for tests and the quick start.

People: articulated poses (``pose``) and their rendering (``render``). Objects: toy cars and
chairs (``objects3d``) and the small 3-D renderer that views them (``render3d``).
``script/make_synthetic_dataset.py`` writes them in the exact on-disk formats of DeepFashion,
Market-1501 and ShapeNet (Multi-view-to-Novel-view), so that the real loaders read them.
"""
