#!/usr/bin/env bash
# mpirun for this machine: Open MPI refuses root without --allow-run-as-root, and more ranks
# than cores without --oversubscribe (2 cores here). Each rank gets an equal share of the
# cores for its OpenMP kernels unless OMP_NUM_THREADS is set.
#   scripts/mpirun-local.sh N program [arguments...]
set -euo pipefail
ranks=$1
shift
flags=(--oversubscribe)
[ "$(id -u)" -ne 0 ] || flags+=(--allow-run-as-root)
threads=$(( $(nproc) / ranks ))
[ "$threads" -ge 1 ] || threads=1
exec mpirun "${flags[@]}" -np "$ranks" -x OMP_NUM_THREADS="${OMP_NUM_THREADS:-$threads}" "$@"
