/**
 * Models exported from PyTorch as TorchScript files, run through DJL's PyTorch engine with
 * gradients enabled (weights loaded as trainable, then frozen) so that the engine can back-propagate
 * to the input.
 */
package dev.ctshift.model.torchscript;
