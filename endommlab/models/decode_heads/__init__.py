from .deeplabv3_head import DeepLabV3Head
from .deeplabv3_plus_head import DeepLabV3PlusHead
from .semantic_fpn_head import SemanticFPNHead
from .unet_head import UNetHead
from .unet_plusplus_head import UNetPlusPlusHead

__all__ = ['DeepLabV3Head', 'DeepLabV3PlusHead', 'SemanticFPNHead', 'UNetHead', 'UNetPlusPlusHead']
