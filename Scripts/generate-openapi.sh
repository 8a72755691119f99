#!/usr/bin/env bash
# Regenerates the status API's server code, Sources/FlutterbyeAPI/Generated, from its OpenAPI document,
# Sources/FlutterbyeAPI/Resources/openapi.json (the one source of truth of the HTTP contract: docs/openapi.md).
#
#   Scripts/generate-openapi.sh           writes Generated/ anew
#   Scripts/generate-openapi.sh --check   changes nothing; fails when Generated/ is not what the document generates
#                                         (Tests/run runs it when run without arguments, as CI does)
#
# swift-openapi-generator, pinned in Scripts/openapi-generator/Package.swift, is built there on first use (under a
# minute on two cores); its configuration is Scripts/openapi-generator/openapi-generator-config.yaml. The service's
# own build never compiles the generator: the generated code is committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    *) echo "usage: Scripts/generate-openapi.sh [--check]" >&2; exit 2 ;;
esac

document=Sources/FlutterbyeAPI/Resources/openapi.json
generated=Sources/FlutterbyeAPI/Generated
tools=Scripts/openapi-generator

swift build --package-path "$tools" --product swift-openapi-generator >/dev/null \
    || { echo "generate-openapi: building swift-openapi-generator failed (run: swift build --package-path $tools)" >&2; exit 1; }
generator="$(swift build --package-path "$tools" --show-bin-path)/swift-openapi-generator"

# Each generated file names the document's digest; a test checks it against the document the API serves.
digest=$(sha256sum "$document" | cut -d' ' -f1)
output=$(mktemp -d)
trap 'rm -rf "$output"' EXIT
"$generator" generate "$document" --config "$tools/openapi-generator-config.yaml" --output-directory "$output" \
    --additional-file-comment "swift-format-ignore-file" \
    --additional-file-comment "Generated from $document (SHA-256 $digest) by Scripts/generate-openapi.sh." \
    >"$output/generator.log" 2>&1 \
    || { cat "$output/generator.log" >&2; echo "generate-openapi: the generator refused the document (see above)" >&2; exit 1; }
# Warnings name what the generator skipped: a contract it would only half serve.
if grep -i "warning" "$output/generator.log" >&2; then
    echo "generate-openapi: the generator warned about the document (see above)" >&2
    exit 1
fi
rm "$output/generator.log"

if $check; then
    if ! diff -r "$output" "$generated"; then
        echo "generate-openapi: $generated is not what $document generates: run Scripts/generate-openapi.sh and commit" >&2
        exit 1
    fi
    echo "generate-openapi: $generated matches $document"
else
    mkdir -p "$generated"
    rm -f "$generated"/*.swift
    cp "$output"/*.swift "$generated"/
    echo "generate-openapi: wrote $generated from $document"
fi
