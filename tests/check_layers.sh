#!/usr/bin/env bash
# check_layers.sh: the layers point one way (docs/design.md, "Layout"). Every folder with C
# sources must be in the table below; each `#include "DIR/..."` of its files must name a folder
# it may depend on; a module's private headers (PRIVATE_HEADERS in its CMakeLists.txt) are
# included only by that module's own files (and by tests/, which test modules from inside);
# and each third-party library's headers only where the layer table lets that library in
# (solvers/ never sees BLAS or PAPI, examples/ only the installed <membptt.h>); and the library
# and the command allocate through the allocator hook (core/alloc.h: mb_malloc, ...), never
# malloc, calloc, realloc, strdup or strndup directly, but core/alloc.c itself and a line that
# says it keeps "the C library's" memory (a buffer libc or another library frees).
# Prints one line per violation, then "N passed, M failed" (one check per folder).
# Usage: bash tests/check_layers.sh SOURCE_DIR
set -u
src=${1:?usage: check_layers.sh SOURCE_DIR}
cd "$src" || exit 1

all="core sim solvers measure exec plots analysis sweep cli"
# folder: the folders its sources may include (itself included).
declare -A allowed=(
    [core]="core"
    [sim]="core sim"
    [solvers]="core solvers"
    [measure]="core measure"
    [exec]="core sim measure exec"
    [plots]="core plots"
    [analysis]="core sim solvers analysis"
    [sweep]="core sim solvers measure exec plots sweep"
    [cli]="$all"
    [bench]="$all"
    [examples]=""
    [tests]="$all"
)
# third-party header (the first part of its <path>): the folders that may include it
declare -A third_party=(
    [cblas.h]="exec measure bench tests"
    [papi.h]="measure tests"
    [sde_lib.h]="tests"
    [hwloc.h]="measure tests"
    [yajl]="core sweep analysis tests"
    [gsl]="sim exec measure analysis sweep bench tests"
    [ini.h]="sweep tests"
    [mpi.h]="cli tests"
    [cmocka.h]="tests"
)
# the folders whose heap calls go through core/alloc.h
hooked="core sim solvers measure exec plots analysis sweep cli"
tp_pattern=$(printf '%s|' "${!third_party[@]}" | sed 's/\./\\./g; s/|$//')
# private headers, "folder/name.h", from the modules' CMakeLists.txt (PRIVATE_HEADERS)
private_paths=""
for f in */CMakeLists.txt; do
    dir=${f%/CMakeLists.txt}
    for h in $(sed -n 's/.*mb_library_module([a-z_]* *\(NO_HEADERS *\)\{0,1\}PRIVATE_HEADERS \([^)]*\)).*/\2/p' "$f"); do
        private_paths="$private_paths $dir/$h"
    done
done

pass=0
fail=0
for dir in $(find . -mindepth 1 -maxdepth 1 -type d ! -name '.*' ! -name 'build*' ! -name out \
                 -printf '%f\n' | sort); do
    ls "$dir"/*.[ch] > /dev/null 2>&1 || continue
    if [ -z "${allowed[$dir]+set}" ]; then
        echo "FAIL - $dir/ has C sources but no row in the layer table (docs/design.md, \"Layout\")"
        fail=$((fail + 1))
        continue
    fi
    bad=0
    while IFS=: read -r file line text; do
        path=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\/[^"]*\)".*/\1/p' <<<"$text")
        [ -n "$path" ] || continue
        inc=${path%%/*}
        case " ${allowed[$dir]} " in
        *" $inc "*) ;;
        *)
            echo "FAIL - $file:$line includes $inc/, but $dir/ may include only: ${allowed[$dir]:-no folder of the project}"
            bad=1
            continue
            ;;
        esac
        case " $private_paths " in
        *" $path "*)
            if [ "$inc" != "$dir" ] && [ "$dir" != tests ]; then
                echo "FAIL - $file:$line includes $path, a private header of $inc/"
                bad=1
            fi
            ;;
        esac
    done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"/*.[ch] 2>/dev/null)
    while IFS=: read -r file line text; do
        lib=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^/>]*\).*/\1/p' <<<"$text")
        [ -n "$lib" ] && [ -n "${third_party[$lib]+set}" ] || continue
        case " ${third_party[$lib]} " in
        *" $dir "*) ;;
        *)
            echo "FAIL - $file:$line includes <$lib>, which only ${third_party[$lib]} may include"
            bad=1
            ;;
        esac
    done < <(grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($tp_pattern)[/>]" \
                 "$dir"/*.[ch] 2>/dev/null)
    case " $hooked " in
    *" $dir "*)
        while IFS=: read -r file line text; do
            [ "$file" = core/alloc.c ] && continue
            case $text in *"the C library's"*) continue ;; esac
            echo "FAIL - $file:$line allocates without the hook (core/alloc.h): ${text#"${text%%[![:space:]]*}"}"
            bad=1
        done < <(grep -HnE '(^|[^_[:alnum:].>])(malloc|calloc|realloc|strdup|strndup)[[:space:]]*\(' \
                     "$dir"/*.[ch] 2>/dev/null | grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/?\*|//)')
        ;;
    esac
    if [ $bad -eq 0 ]; then
        echo "ok - $dir/ includes only: ${allowed[$dir]:-no folder of the project}"
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed (private headers:$private_paths)"
[ $fail -eq 0 ]
