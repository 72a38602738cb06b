from .hybrid_loss_head import HybridLossHead

__all__ = ['HybridLossHead']
