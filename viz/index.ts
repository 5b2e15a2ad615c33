/**
 * Pictures of where the agent looks: glimpse grids, patches, animated glimpse paths, training
 * curves and the self-contained run report (`rl-run viz`, `--viz-every`).
 */
export * from './raster';
export * from './font';
export * from './png';
export * from './gif';
export * from './geometry';
export * from './env-image';
export * from './trace';
export * from './glimpse-grid';
export * from './patches';
export * from './glimpse-animation';
export * from './metrics';
export * from './curves-svg';
export * from './report-html';
export * from './run-viz';
export * from './viz-every';
