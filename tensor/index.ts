/**
 * Engine-level tensor helpers shared by agents and algorithms: `stopGradient`, the gradient
 * registrations tfjs-core's Node build lacks, the explicit-transpose matMul gradient, and the
 * optional native GEMM kernels and fused Adam step for the wasm backend. Nothing here knows about envs or agents.
 */
export { stopGradient, registerFastGradients } from './ops';
export { registerMissingGradients } from './gradients';
export { ENGINE_PATCHES, applyEnginePatches, type EnginePatch } from './engine-patches';
export { FLAGS, nativeEnabled, fastPathsEnabled } from './flags';
export { registerNativeKernels, unregisterNativeKernels, nativeKernelsActive, nativeKernelsUnavailableReason } from './native-kernels';
export { nativeAdamAvailable, nativeAdamUnavailableReason, nativeAdamUpdate, nativeSumSquares } from './native-adam';
export type { AdamConstants } from './native-adam';
