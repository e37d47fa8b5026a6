#!/usr/bin/env bash
# test_measure_nonroot.sh: runs the measure tests again as an unprivileged user, the path where
# kernel.perf_event_paranoid restricts counting (a kernel event then counts user mode only, or
# is unavailable with a notice that names the setting). Needs root and setpriv to switch user;
# otherwise it is skipped (exit 77).
# Usage: bash tests/test_measure_nonroot.sh TEST_MEASURE_BINARY
set -u
bin=${1:?usage: test_measure_nonroot.sh TEST_MEASURE_BINARY}
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: already unprivileged; the measure test covers this user"
    exit 77
fi
if ! command -v setpriv >/dev/null 2>&1; then
    echo "SKIP: setpriv (util-linux) is not installed"
    exit 77
fi
cd /
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$bin"
