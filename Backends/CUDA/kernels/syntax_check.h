// Stand-ins for CUDA's built-ins, so that build.sh can compile the device source as host
// C++ with -fsyntax-only: a typo in a kernel then fails the build on any machine, not at
// NVRTC time on a GPU. Nothing is executed.
#include <math.h>
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
struct stc_dim3 { unsigned x, y, z; };
static stc_dim3 threadIdx, blockIdx, blockDim, gridDim;
inline void __syncthreads() {}
inline int atomicCAS(int *, int, int) { return 0; }
template <class T> inline T atomicAdd(T *, T) { return T(); }
inline double __longlong_as_double(long long) { return 0; }
inline float __int_as_float(int) { return 0; }
template <class T> inline T __shfl_xor_sync(unsigned, T v, int) { return v; }
