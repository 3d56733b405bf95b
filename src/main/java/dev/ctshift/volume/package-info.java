/**
 * {@link dev.ctshift.volume.Volume}: voxel values together with the affine that places them in the
 * patient's world (RAS+, millimetres), and the geometry helpers (axis codes, affines) that keep the two
 * consistent. Preprocessing transforms and their inverses live in {@code volume.transform}.
 */
package dev.ctshift.volume;
