/**
 * One scan end to end with models loaded once: read, preprocess, explain, compose and write ({@link
 * dev.ctshift.pipeline.ScanExplainer}). Commands and batch runs call this; they do not wire the stages
 * themselves.
 */
package dev.ctshift.pipeline;
