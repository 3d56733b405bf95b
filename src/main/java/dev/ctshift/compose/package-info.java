/**
 * Composition back onto the scan: model-space frames and differences become volumes on the scan's
 * own grid and in Hounsfield units, so that voxels the shift leaves alone keep their exact values.
 */
package dev.ctshift.compose;
