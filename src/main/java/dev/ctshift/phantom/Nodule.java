package dev.ctshift.phantom;

/** A placed lung nodule: centre in world RAS+ mm (the volume's affine space) and diameter in mm. */
public record Nodule(double x, double y, double z, double diameterMm) {}
