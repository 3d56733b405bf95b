/**
 * Interactive HTML pages a user opens with a double click: {@code report.html} for one explanation
 * ({@link dev.ctshift.report.html.ExplanationPage}) and {@code index.html} for a batch or an evaluation
 * ({@link dev.ctshift.report.html.IndexPage}).
 *
 * <p>Each page is one self-contained file: plain JavaScript on canvas and SVG, no library, no build
 * step; template, script and style are resources of this package, the data is embedded (volumes as
 * base64 of {@link dev.ctshift.report.html.ShortCodec} arrays, unpacked by the browser's own
 * {@code DecompressionStream}). A Content-Security-Policy in every page forbids loading anything.
 * docs/HTML-REPORT.md explains the choices and gives the measured sizes.
 */
package dev.ctshift.report.html;
