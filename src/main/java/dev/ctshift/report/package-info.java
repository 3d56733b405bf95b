/**
 * What an explanation leaves on disk: volumes on the scan's grid, rendered images, {@code
 * report.json}, all written into a staging folder ({@link dev.ctshift.report.StagedOutput}) and moved
 * into place only when complete. To add an output format, add a writer here and call it from {@link
 * dev.ctshift.report.ExplanationWriter}.
 */
package dev.ctshift.report;
