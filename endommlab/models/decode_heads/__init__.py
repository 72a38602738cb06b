from .reverse_attention_head import ReverseAttentionHead, reverse_attention

__all__ = ['ReverseAttentionHead', 'reverse_attention']
