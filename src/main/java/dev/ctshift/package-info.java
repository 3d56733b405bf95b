/**
 * ctshift: counterfactual explanations of 3D CT models by slice-based Latent Shift.
 *
 * <p>Data flows one way: {@code io} reads a scan, {@code volume.transform} takes it into a model's
 * input space, {@code shift} computes the counterfactual there, {@code compose} maps it back onto the
 * scan, and {@code report} writes what a user opens; {@code pipeline} wires these stages for one scan,
 * and {@code cli} only parses command lines and calls it. {@link dev.ctshift.CtShiftException} is the
 * root of the checked exceptions every stage throws for expected failures.
 */
package dev.ctshift;
