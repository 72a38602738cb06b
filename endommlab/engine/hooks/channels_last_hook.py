"""Train and evaluate a convolutional model in the channels-last memory format."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Store the model's 4-D weights as ``torch.channels_last`` (NHWC).

    oneDNN's CPU convolutions (depthwise ones above all) run on NHWC data
    without the reorders the default NCHW layout costs; the activations follow
    the weights' layout, so the inputs need no change. The computation is the
    same up to floating-point summation order, parameters stay the same
    objects (the optimizer keeps them) and checkpoints load into NCHW models
    unchanged.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        model.to(memory_format=torch.channels_last)
