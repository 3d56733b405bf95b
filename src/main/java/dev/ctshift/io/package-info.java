/**
 * Reading scans: {@link dev.ctshift.io.ScanReader} dispatches a path to the NIfTI reader ({@code
 * io.nifti}) or the DICOM series reader ({@code io.dicom}) and returns a {@link dev.ctshift.io.Scan} in
 * HU with its own geometry; every expected failure is a {@link dev.ctshift.io.VolumeReadException}
 * that names the file.
 */
package dev.ctshift.io;
