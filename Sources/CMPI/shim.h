// Open MPI's C interface (Debian's libopenmpi-dev; `pkg-config ompi-c` gives its flags).
// Named shim.h, not mpi.h, so it never shadows the real header. Swift does not import it
// directly: MPI_COMM_WORLD and the datatypes are macros over casts, which Swift cannot
// see, so CMPIBridge wraps the few calls SwiftTorchDistributed makes.
#include <mpi.h>
