"""Datasets by ``--dataset_mode`` and the DataLoader of the entry points.

    dataset = data.create_dataset(opt)        # Cls(opt) of data/<name>_dataset.py
    loader = data.create_dataloader(opt)
"""
from data.loader import create_dataloader
from data.registry import create_dataset, dataset_names, find_dataset_class, get_option_setter

__all__ = ["create_dataloader", "create_dataset", "dataset_names", "find_dataset_class", "get_option_setter"]
