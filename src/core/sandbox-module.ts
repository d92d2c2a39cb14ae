/**
 * The one module a sandboxed plugin may import: `cordon`, for `definePlugin` (an identity function the boundary
 * provides; nothing else of the package exists inside a compartment). Type-only imports leave no trace in the
 * compiled module, so `import type { ... } from 'cordon'` is always fine. Its own module so that the boundary
 * does not load the compiler to know it.
 */
export const SANDBOX_MODULE = 'cordon';
