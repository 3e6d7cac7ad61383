#!/usr/bin/env bash
# halfhour-mpi-vg.sh: the MPI build (make MPI=1) under valgrind memcheck, a
# drop-in HH_MPI_BIN for tests/e2e/mpi.sh, which mpirun starts once per
# rank: as halfhour-vg.sh, with the binary HH_VG_MPI_BIN and suppressions for
# Open MPI as well (openmpi.supp, each with its reason, and the file Debian
# ships with the library).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
supp=("--suppressions=$here/openmpi.supp")
for f in /usr/share/openmpi/openmpi-valgrind.supp; do
    [ -f "$f" ] && supp+=("--suppressions=$f")
done
exec valgrind -q --tool=memcheck --vgdb=no --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --track-origins=no --num-callers=30 \
    --suppressions="$here/halfhour.supp" "${supp[@]}" --log-file="${HH_VG_LOGS:-/tmp}/vg.%p.log" \
    "${HH_VG_MPI_BIN:?HH_VG_MPI_BIN: the MPI build of halfhour}" "$@"
