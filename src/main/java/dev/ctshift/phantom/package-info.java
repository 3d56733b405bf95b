/**
 * Synthetic chest CT phantoms: volumes in Hounsfield units with lung, pleural effusion, heart and
 * nodule labels and per-subject ground truth, deterministic for a seed. Entry point:
 * {@link dev.ctshift.phantom.PhantomGenerator}. Volumes are RAS+ with axial slices along k, superior at
 * higher k (see {@link dev.ctshift.phantom.Phantom}).
 */
package dev.ctshift.phantom;
