/**
 * Engine-level tensor helpers shared by agents and algorithms: `stopGradient`, the gradient
 * registrations tfjs-core's Node build lacks, the explicit-transpose matMul gradient, and the
 * optional native GEMM kernels for the wasm backend. Nothing here knows about envs or agents.
 */
export { stopGradient, registerFastGradients } from './ops';
export { registerMissingGradients } from './gradients';
export { registerNativeKernels, unregisterNativeKernels, nativeKernelsActive, nativeKernelsUnavailableReason } from './native-kernels';
