"""Base of the models whose options and networks exist but whose training loop is not ported yet."""
from model.base_model import BaseModel


class UnportedModel(BaseModel):
    """Refuses construction with a message saying what is and is not available."""

    def __init__(self, opt):
        raise NotImplementedError(
            f"--model={opt.model}: training and testing are not implemented yet. Its options and "
            f"networks are ({type(self).__name__}.build_networks builds them and loads its checkpoints).")
