#!/usr/bin/env bash
# test_install.sh: membptt as a library. Installs the build into a scratch prefix
# (cmake --install), checks what is there, then builds examples/solve_and_run.c against the
# installed tree only, with pkg-config (shared and static) and with find_package(membptt)
# (shared and static), runs each build and checks its output against `membptt solve`.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS] (the sanitizer flags of the build,
# which a program linking an instrumented library needs too).
set -u
build=${1:?usage: test_install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]}
src=${2:?usage: test_install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]}
extra=${3:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/membptt-install.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
prefix=$W/prefix
. "$(dirname "$0")/test_lib.sh"

if ! cmake --install "$build" --prefix "$prefix" >"$W/install.log" 2>&1; then
    bad "cmake --install" "$(tail -c 300 "$W/install.log")"
    finish
fi
ok "cmake --install into a scratch prefix"
libdir=$prefix/lib
[ -d "$libdir" ] || libdir=$(dirname "$(find "$prefix" -name membptt.pc | head -1)")/..
for f in bin/membptt include/membptt/membptt.h include/membptt/core/plan.h \
         include/membptt/solvers/solvers.h include/membptt/sim/sim.h include/membptt/exec/exec.h \
         share/doc/membptt/LICENSE share/doc/membptt/NOTICE share/doc/membptt/CITATION.cff \
         share/doc/membptt/design.md share/man/man1/membptt.1; do
    if [ -f "$prefix/$f" ]; then ok "installed $f"; else bad "installed $f" "missing"; fi
done
for f in libmembptt.a libmembptt.so pkgconfig/membptt.pc cmake/membptt/membpttConfig.cmake \
         cmake/membptt/membpttConfigVersion.cmake; do
    if [ -e "$libdir/$f" ]; then ok "installed lib/$f"; else bad "installed lib/$f" "missing"; fi
done
for f in exec/internal.h exec/cell_impl.h solvers/builder.h; do
    if [ -e "$prefix/include/membptt/$f" ]; then bad "private $f not installed" "installed"
    else ok "private $f not installed"; fi
done

# Every public header compiles on its own with only the installed include folder.
hdr_bad=""
for h in $(cd "$prefix/include/membptt" && find . -name '*.h' | sort); do
    printf '#include "%s"\n' "${h#./}" >"$W/h.c"
    cc -std=c17 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include/membptt" "$W/h.c" \
        2>"$W/h.err" || hdr_bad="$hdr_bad ${h#./}: $(head -c 200 "$W/h.err")"
done
if [ -z "$hdr_bad" ]; then ok "every installed header compiles alone"
else bad "every installed header compiles alone" "$hdr_bad"; fi

# The reference: the same problem solved and run by the installed command.
sizes=$("$prefix/bin/membptt" run --cell lstm --steps 100 --input 8 --hidden 16 --batch 2 \
        --solver msm --budget 10% --repeat 1 --format json 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["forward_ops"], d["peak_store_bytes"])')
want_fwd=${sizes% *}
want_peak=${sizes#* }
if [ -n "$want_fwd" ] && [ "$want_fwd" -gt 100 ]; then ok "reference: membptt run gives $want_fwd forward ops"
else bad "reference from membptt run" "got '$sizes'"; fi

check_example() { # NAME BINARY
    if ! "$2" >"$W/ex.out" 2>"$W/ex.err"; then
        bad "$1 runs" "$(head -c 300 "$W/ex.err")"
        return
    fi
    if grep -qE "^msm: t = 100, budget [0-9]+ units of [0-9]+ bytes: $want_fwd forward ops" "$W/ex.out" &&
       grep -qE "^lstm: peak store $want_peak of [0-9]+ bytes, gradients bitwise equal to full BPTT's$" "$W/ex.out"; then
        ok "$1 prints the plan's cost ($want_fwd) and the run"
    else
        bad "$1 output" "$(tr '\n' '|' <"$W/ex.out")"
    fi
}

export PKG_CONFIG_PATH=$libdir/pkgconfig
ex=$src/examples/solve_and_run.c
# shellcheck disable=SC2046,SC2086
if cc -std=c17 $extra "$ex" -o "$W/pc_shared" $(pkg-config --cflags --libs membptt) 2>"$W/cc.err"; then
    ok "pkg-config: builds against the shared library"
    if LD_LIBRARY_PATH=$libdir ldd "$W/pc_shared" | grep -q "$libdir/libmembptt.so"; then
        ok "pkg-config: the program loads the installed libmembptt.so"
    else bad "pkg-config: loads the installed libmembptt.so" "$(ldd "$W/pc_shared" | grep membptt)"; fi
    LD_LIBRARY_PATH=$libdir check_example "pkg-config shared" "$W/pc_shared"
else
    bad "pkg-config: builds against the shared library" "$(head -c 400 "$W/cc.err")"
fi
# libmembptt.a with the shared libraries of its dependencies (what the README shows).
static_libs="-l:libmembptt.a $(pkg-config --libs-only-L membptt) $(pkg-config --libs $(pkg-config --print-requires-private membptt)) -lm -ldl -lpthread"
# shellcheck disable=SC2086
if cc -std=c17 $extra "$ex" -o "$W/pc_static" $(pkg-config --cflags membptt) $static_libs 2>"$W/cc.err"; then
    ok "pkg-config: builds against libmembptt.a"
    if ldd "$W/pc_static" | grep -q libmembptt; then bad "static build needs no libmembptt.so" "$(ldd "$W/pc_static" | grep membptt)"
    else ok "static build needs no libmembptt.so"; fi
    check_example "pkg-config static" "$W/pc_static"
else
    bad "pkg-config: builds against libmembptt.a" "$(head -c 400 "$W/cc.err")"
fi

if cmake -S "$src/examples" -B "$W/ex-build" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_FLAGS="$extra" >"$W/cm.log" 2>&1 &&
   cmake --build "$W/ex-build" >>"$W/cm.log" 2>&1; then
    ok "find_package(membptt): the example builds"
    for b in solve_and_run solve_and_run_static; do
        if [ -x "$W/ex-build/$b" ]; then check_example "find_package $b" "$W/ex-build/$b"
        else bad "find_package builds $b" "not built"; fi
    done
else
    bad "find_package(membptt): the example builds" "$(tail -c 600 "$W/cm.log")"
fi
finish
