#!/usr/bin/env bash
# check_layers.sh: the layers point one way (docs/design.md, "Layout"). For every folder that
# is a library, each `#include "DIR/..."` of its sources must name a folder it may depend on.
# Prints one line per violation, then "N passed, M failed" (one check per library folder).
# Usage: bash tests/check_layers.sh SOURCE_DIR
set -u
src=${1:?usage: check_layers.sh SOURCE_DIR}
cd "$src" || exit 1

# folder: the folders its sources may include (itself included).
declare -A allowed=(
    [core]="core"
    [sim]="core sim"
    [solvers]="core solvers"
    [measure]="core measure"
    [exec]="core sim measure exec"
    [plots]="core plots"
    [sweep]="core sim solvers measure exec plots sweep"
)
pass=0
fail=0
for dir in core sim solvers measure exec plots sweep; do
    [ -d "$dir" ] || continue
    bad=0
    while IFS=: read -r file line text; do
        inc=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/.*/\1/p' <<<"$text")
        [ -n "$inc" ] || continue
        case " ${allowed[$dir]} " in
        *" $inc "*) ;;
        *)
            echo "FAIL - $file:$line includes $inc/, but $dir/ may include only: ${allowed[$dir]}"
            bad=1
            ;;
        esac
    done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"/*.[ch] 2>/dev/null)
    if [ $bad -eq 0 ]; then
        echo "ok - $dir/ includes only: ${allowed[$dir]}"
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
