/**
 * Pictures a user looks at: slices of CT volumes as images, animated GIFs and PNG panels, drawn with
 * the JDK only ({@code java.awt.image}, {@code javax.imageio}) and safe to run headless.
 *
 * <p>Flow: {@link dev.ctshift.report.render.SliceView#of} cuts a slice in display orientation,
 * {@link dev.ctshift.report.render.SliceView#render} maps it through a
 * {@link dev.ctshift.report.render.Colormap} (a {@link dev.ctshift.report.render.Window} for HU, a
 * diverging map for differences, a heat map for non-negative scores) to an RGB image,
 * {@link dev.ctshift.report.render.Panel} puts captioned tiles side by side, and
 * {@link dev.ctshift.report.render.GifWriter} / {@link dev.ctshift.report.render.PngWriter} write files
 * atomically. {@link dev.ctshift.report.render.SliceRanking} picks the slices worth showing.
 */
package dev.ctshift.report.render;
