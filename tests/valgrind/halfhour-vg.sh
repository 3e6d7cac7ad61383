#!/usr/bin/env bash
# halfhour-vg.sh: the CLI under valgrind memcheck, a drop-in HH_BIN for the
# end-to-end suite (tests/valgrind/run.sh).  Any invalid access, use of an
# uninitialised value or definitely lost block makes the command exit 99
# (which no test expects) and leaves valgrind's report in $HH_VG_LOGS.
# --vgdb=no: no gdbserver and so no shared-memory file in /tmp; that file is
# written by the client's process, so the full-disk cases of outputs.sh (whose
# shim lowers RLIMIT_FSIZE for the whole process) would make valgrind fail
# writing it and report that as an error.
# HH_VG_SUPP: more suppression files, colon-separated (halfhour-mpi-vg.sh).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
supp=()
IFS=: read -r -a more <<< "${HH_VG_SUPP:-}"
for f in "${more[@]}"; do
    [ -n "$f" ] && supp+=("--suppressions=$f")
done
exec valgrind -q --tool=memcheck --vgdb=no --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --track-origins=no --num-callers=30 \
    --suppressions="$here/halfhour.supp" "${supp[@]}" --log-file="${HH_VG_LOGS:-/tmp}/vg.%p.log" \
    "${HH_VG_BIN:?HH_VG_BIN: the halfhour binary}" "$@"
