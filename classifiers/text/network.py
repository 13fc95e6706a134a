"""The transformer half: a small BERT encoder trained from scratch with one head per task.

All heads share one encoder pass, so scoring a text for every category costs one
forward pass. Mean pooling over real tokens works better than [CLS] for a model this
small trained for a few epochs.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import BertConfig, BertModel


def make_config(vocab_size: int, hidden: int = 192, layers: int = 2, heads: int = 4,
                max_len: int = 128) -> BertConfig:
    return BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                      num_attention_heads=heads, intermediate_size=hidden * 4,
                      max_position_embeddings=max_len, type_vocab_size=1,
                      hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)


class MultiHeadTextNet(nn.Module):
    def __init__(self, config: BertConfig, head_sizes: dict[str, int]) -> None:
        super().__init__()
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(0.1)
        self.heads = nn.ModuleDict({h: nn.Linear(config.hidden_size, k) for h, k in head_sizes.items()})

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * m).sum(1) / m.sum(1).clamp(min=1.0))
        return {h: layer(pooled) for h, layer in self.heads.items()}
