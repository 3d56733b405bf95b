package dev.ctshift.io.dicom;

/**
 * One source image a slice came from: its SOP Class and Instance UIDs and, for a multi-frame
 * instance, the 1-based frame number (0 for a single-frame instance).
 */
public record SourceImage(String sopClassUid, String sopInstanceUid, int frameNumber) {}
