/**
 * Browsers lay out in fractions of a pixel (Firefox in 1/60 px, Chromium in 1/64 px), so two edges that sit
 * flush can differ in the last digits of a bounding box. Edges within this much of each other count as aligned.
 */
export const SUBPIXEL = 0.5;
