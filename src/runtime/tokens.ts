/** Nest injection token of the process's `Infrastructure` (see src/infrastructure.ts). */
export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
