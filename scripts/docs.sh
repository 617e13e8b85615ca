#!/usr/bin/env bash
# Builds SwiftTorch's documentation, a static DocC site, into .build/docs (or $1), with
# DocC's warnings as errors, and fails if a public symbol has no `///` summary.
#
#   scripts/docs.sh [OUTPUT_DIR]
#   DOCS_HOSTING_BASE_PATH=SwiftTorch scripts/docs.sh   # when served from example.org/SwiftTorch/
#   python3 -m http.server -d .build/docs 8000          # then open localhost:8000/documentation/swifttorch
#
# Where the pages come from (one source of truth each):
# - Sources/SwiftTorch/SwiftTorch.docc: the landing page and its topic groups, and the tutorial.
# - Tests/SwiftTorchTests/TutorialSnippets.swift: the tutorial's code, which the tests run; this
#   script writes each `tutorial-*` region as the code file of the same name into the catalog's
#   Generated/ folder (ignored by git). TutorialCodeTests checks that the steps show them in order.
# - Docs/*.md: the articles. The Markdown pages stay the source, since the README links them
#   and DocSnippetTests runs their code; this script copies the five below, and Docs/images,
#   into the catalog's Generated/ folder (ignored by git), turning their links to each other
#   into <doc:> links.
# - The `///` comments of SwiftTorch and of SwiftTorchCore, which `import SwiftTorch`
#   re-exports (Exports.swift). swift-docc-plugin's own symbol graph leaves re-exported
#   modules out, so this script extracts the graph itself with the same compiler flags as the
#   build and SwiftTorchCore allowed in, and hands it to the plugin, which then builds with it.
set -euo pipefail
cd "$(dirname "$0")/.."

output=${1:-.build/docs}
catalog=Sources/SwiftTorch/SwiftTorch.docc
# Docs/NAME.md -> the article's name in the catalog (cuda.md would clash with the `cuda` variable).
declare -A articles=([getting-started]=getting-started [architecture]=architecture [plugins]=plugins
                     [pytorch-to-swifttorch]=pytorch-to-swifttorch [cuda]=cuda-backend)

echo "docs: articles and images from Docs/ into $catalog/Generated"
rm -rf "$catalog/Generated"
mkdir -p "$catalog/Generated"
cp Docs/images/* "$catalog/Generated/"
links=()
for source in "${!articles[@]}"; do
    links+=(-e "s/\[[^]]*\]\($source\.md\)/<doc:${articles[$source]}>/g")
done
for source in "${!articles[@]}"; do
    sed -E "${links[@]}" "Docs/$source.md" > "$catalog/Generated/${articles[$source]}.md"
done

echo "docs: the tutorial's code files from the regions of TutorialSnippets.swift"
# Region NAME becomes NAME.swift, without the indentation its lines share (as DocSnippetFile
# reads regions); tutorial-program.swift is the imports and then every region, in order.
awk -v folder="$catalog/Generated" '
    function emit(   i, indent, width, text) {
        indent = -1
        for (i = 1; i <= n; i++) if (lines[i] ~ /[^ ]/) {
            width = match(lines[i], /[^ ]/) - 1
            if (indent < 0 || width < indent) indent = width
        }
        text = ""
        for (i = 1; i <= n; i++) text = text (i > 1 ? "\n" : "") substr(lines[i], indent + 1)
        print text > (folder "/" name ".swift")
        close(folder "/" name ".swift")
        program = program (program == "" ? "" : "\n\n") text
    }
    $1 == "//" && $2 == "snippet:" { name = $3; n = 0; next }
    $1 == "//" && $2 == "end" && $3 == "snippet" { if (name ~ /^tutorial-/) emit(); name = ""; next }
    name != "" { lines[++n] = $0 }
    END { print "import Foundation\nimport SwiftTorch\n\n" program > (folder "/tutorial-program.swift") }
' Tests/SwiftTorchTests/TutorialSnippets.swift

echo "docs: building the SwiftTorch target"
swift build --target SwiftTorch
bin=$(swift build --show-bin-path)
manifest="$(dirname "$(dirname "$bin")")/$(basename "$bin").yaml"

# The compile command of the SwiftTorch module in SwiftPM's build manifest gives the target
# triple, the module search paths and the C modules' maps (-I, -Xcc); symbolgraph-extract
# needs the same to load the module.
command=$(grep -F '"-module-name","SwiftTorch",' "$manifest" | head -n 1)
[ -n "$command" ] || { echo "docs: no SwiftTorch compile command in $manifest" >&2; exit 1; }
mapfile -t words < <(echo "${command#*args: }" | sed -e 's/^\[//' -e 's/\]$//' | tr ',' '\n' | sed -e 's/^"//' -e 's/"$//')
flags=()
for ((i = 0; i < ${#words[@]}; i++)); do
    case "${words[i]}" in
        -I|-Xcc|-target|-module-cache-path) flags+=("${words[i]}" "${words[i + 1]}"); i=$((i + 1)) ;;
        -I*) flags+=("${words[i]}") ;;
    esac
done

graphs=.build/docs-symbol-graphs
rm -rf "$graphs"
mkdir -p "$graphs"
echo "docs: symbol graph of SwiftTorch with SwiftTorchCore's re-exported symbols"
# The plugin's defaults: public symbols, extension blocks, no inherited docs.
swift symbolgraph-extract -module-name SwiftTorch "${flags[@]}" \
    -minimum-access-level public -emit-extension-block-symbols -skip-inherited-docs \
    -experimental-allowed-reexported-modules=SwiftTorchCore -output-dir "$graphs"

echo "docs: every public symbol has a /// summary"
swift scripts/doc-coverage.swift "$graphs" "$PWD"

echo "docs: DocC, warnings as errors, into $output"
hosting=()
[ -z "${DOCS_HOSTING_BASE_PATH:-}" ] || hosting=(--hosting-base-path "$DOCS_HOSTING_BASE_PATH")
mkdir -p "$output"
swift package --allow-writing-to-directory "$output" generate-documentation --target SwiftTorch \
    --additional-symbol-graph-dir "$graphs" --warnings-as-errors \
    --transform-for-static-hosting "${hosting[@]}" --output-path "$output"
echo "docs: built $output (open $output/documentation/swifttorch/index.html through a web server)"
