#!/usr/bin/env bash
# halfhour-mpi-vg.sh: the MPI build (make MPI=1) under valgrind memcheck, a
# drop-in HH_MPI_BIN for tests/e2e/mpi.sh, which mpirun starts once per
# rank: halfhour-vg.sh with the binary HH_VG_MPI_BIN and suppressions for
# Open MPI as well (openmpi.supp, each with its reason, and the file Debian
# ships with the library).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
supp=$here/openmpi.supp
[ -f /usr/share/openmpi/openmpi-valgrind.supp ] && supp="$supp:/usr/share/openmpi/openmpi-valgrind.supp"
HH_VG_BIN=${HH_VG_MPI_BIN:?HH_VG_MPI_BIN: the MPI build of halfhour} HH_VG_SUPP=$supp exec "$here/halfhour-vg.sh" "$@"
