/**
 * Checks made before any model runs, shared by {@code explain}, {@code batch} and {@code evaluate}:
 * whether a scan is a finite, three-dimensional CT in Hounsfield units ({@link dev.ctshift.io.sanity.ScanCheck}),
 * how the user asked its values to be taken ({@link dev.ctshift.io.sanity.InputPolicy}), and whether an
 * output folder can be written ({@link dev.ctshift.io.sanity.OutputFolderCheck}).
 *
 * <p>A refused scan raises {@link dev.ctshift.io.sanity.InputRefusedException} (exit code 3), whose message
 * names the file, the value found, the value expected and how to proceed.
 */
package dev.ctshift.io.sanity;
