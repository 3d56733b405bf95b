/**
 * Tools that measure the bundled demo models for {@code scripts/make_demo_models} (held-out figures,
 * where an explanation changed a phantom); run by the hidden {@code ctshift demo} commands, not by
 * explaining or training.
 */
package dev.ctshift.demo;
