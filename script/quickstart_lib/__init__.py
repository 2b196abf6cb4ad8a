"""The parts of ``script/quickstart.py``: pretrained weights, scoring, the loss plot and the results page."""
