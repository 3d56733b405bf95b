/**
 * The PyTorch engine at start-up: offline start on the requested device, and the convolution-gradient
 * self-test that guards against libtorch kernels returning wrong input gradients on some CPUs; plus
 * the process's memory figures that reports record.
 */
package dev.ctshift.engine;
