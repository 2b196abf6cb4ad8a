"""The ops package's layout: one basename per op with its sources beside it, one loader and one
header, and the public names importable from ``model.ops``."""
from pathlib import Path

import model.ops
from model.ops import custom_ops
from script.build_ops import EXTENSIONS

OPS_DIR = Path(model.ops.__file__).parent


def test_every_extension_builds_from_its_own_sources_beside_the_loader_and_header():
    assert sorted(extension.name for extension in EXTENSIONS) == [
        "gfla_block_extractor", "gfla_local_attention_apply", "gfla_resample2d"]
    for extension in EXTENSIONS:
        op = extension.name.removeprefix("gfla_")
        assert extension.sources == [OPS_DIR / f"{op}.cpp", OPS_DIR / f"{op}.cu"]
        assert all(source.is_file() for source in extension.sources), extension.sources
        assert (OPS_DIR / f"{op}.py").is_file()
    assert custom_ops._HEADER == OPS_DIR / "custom_ops.h" and custom_ops._HEADER.is_file()


def test_public_names():
    from model.ops import (BlockExtractor, LocalAttnReshape, Resample2d, block_extractor,  # noqa: F401
                           local_attention_apply, local_attn_reshape, resample2d)
    assert sorted(model.ops.__all__) == ["BlockExtractor", "LocalAttnReshape", "Resample2d", "block_extractor",
                                         "local_attention_apply", "local_attn_reshape", "resample2d"]
