/**
 * The public API of faas-platform: the entry construct, synth of a whole project, loading
 * faas.config.ts, the declaration's helper and types, and the errors a user can meet.
 */
export { FaasPlatform, type FaasPlatformProps } from './faas-platform';
export { synthesizeProject, isUserError, type SynthesizeOptions } from './synth';
export { CONFIG_FILE, findProjectRoot, loadDeclaration } from './config-file';
export { defineConfig, type ContainerInput, type FunctionInput, type PlatformInput } from './config';
export { DEFAULT_LIMITS, type PlacementLimits } from './placement/placement';
export { InMemoryPlacement, PLACEMENT_FILE, PlacementFile, type PlacementStore } from './placement/placement-file';
export { DeclarationError } from './declaration/resolve';
export { PlacementError } from './placement/placement-error';
export { ProjectFileError, type ProjectFileProblem } from './project-file-error';
