/**
 * The id check lives in shared; this module only forwards it to the orders modules that still
 * import it from here (dishes/, orders/), until they move to orders-core and import shared directly.
 */
export { isUuid, requireUuid } from '@dishpatch/shared/ids';
