from .checkpoint import (SAFE_GLOBALS, checkpoint_mismatches, decode_safe, encode_safe,
                         load_fitting_checkpoint, safe_torch_load, state_dict_of)
from .param_count import keras_param_count
from .training_curves import compare_training_curves, plot_training_curves, read_scalars

__all__ = ['SAFE_GLOBALS', 'checkpoint_mismatches', 'decode_safe', 'encode_safe',
           'load_fitting_checkpoint', 'safe_torch_load', 'state_dict_of', 'keras_param_count',
           'compare_training_curves', 'plot_training_curves', 'read_scalars']
