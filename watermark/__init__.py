"""AI-synthesis labels (clause 5.2.5; 《人工智能生成合成内容标识办法》, GB 45438-2025).

Read implicit labels in every carrier, decide the label per Article 6, publish
content with explicit + implicit labels and an invisible mark, and catch labels
removed from content the platform marked. No FastAPI or dramatiq in here.
"""

from watermark.apply import LabeledContent, apply_labels
from watermark.detect import detect_aigc
from watermark.finding import AigcFinding

__all__ = ["AigcFinding", "LabeledContent", "apply_labels", "detect_aigc"]
