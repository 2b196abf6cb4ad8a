"""The metric code behind ``script/metrics.py``, one job per module.

- ``evaluate``: ``MetricsConfig`` and ``evaluate(config)``, which runs the selected metrics;
- ``registry``: the named metrics and ``--metrics`` selection;
- ``image_files``, ``matching``: image folders, and generated/ground-truth pairing by file name;
- ``weights``, ``inception``, ``fid``, ``cache``: FID's networks, statistics, distance and cache;
- ``lpips_metric``, ``reconstruction``, ``body_mask``, ``pair_scoring``: the paired metrics;
- ``runtime``, ``report``: device, precision and loading; the printed table and the JSON file;
- ``layouts``, ``view_synthesis``: which folder layout is scored; the ShapeNet result folders.
"""
