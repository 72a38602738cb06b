"""CPUAutocastOptimWrapper: bfloat16 training forward passes, float32 parameters and evaluation."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from torch import nn

import endommlab  # noqa: F401  (registers the wrapper)
from endommlab.errors import ConfigError


def _model_and_wrapper(wrapper_type: str):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 1, 1))
    wrapper = build_optim_wrapper(model, dict(type=wrapper_type,
                                              optimizer=dict(type='SGD', lr=0.1)))
    return model, wrapper


def _gradient(wrapper_type: str, x: torch.Tensor):
    model, wrapper = _model_and_wrapper(wrapper_type)
    with wrapper.optim_context(model):
        convolved = model[0](x)
        loss = model(x).float().square().mean()
    loss.backward()
    return model, wrapper, convolved, model[0].weight.grad.clone()


def test_training_forward_runs_in_bfloat16_and_the_state_stays_float32():
    x = torch.randn(2, 3, 16, 16)
    model, wrapper, convolved, grad = _gradient('CPUAutocastOptimWrapper', x)
    _, _, reference_out, reference = _gradient('OptimWrapper', x)
    assert convolved.dtype == torch.bfloat16 and reference_out.dtype == torch.float32
    assert grad.dtype == torch.float32
    # bfloat16 keeps 8 bits of mantissa: the gradient agrees with float32's to a few per cent
    assert torch.allclose(grad, reference, rtol=0.05, atol=0.05 * reference.abs().max().item())
    before = model[0].weight.detach().clone()
    wrapper.step()
    assert model[0].weight.dtype == torch.float32 and not torch.equal(before, model[0].weight)
    model.eval()
    assert model(x).dtype == torch.float32  # outside a training step nothing is cast


def test_unknown_dtype_is_a_config_error():
    model = nn.Conv2d(3, 1, 1)
    with pytest.raises(ConfigError, match='dtype must be one of'):
        build_optim_wrapper(model, dict(type='CPUAutocastOptimWrapper', dtype='int8',
                                        optimizer=dict(type='SGD', lr=0.1)))
