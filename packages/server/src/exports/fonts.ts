import { createRequire } from "node:module";

/**
 * The one typeface of every export: DejaVu Sans from the `dejavu-fonts-ttf` package, embedded in
 * PDFs and used to rasterize charts. Shipping the font (rather than PDF's built-in Helvetica or
 * whatever the host has) keeps non-Latin text and signs like `−` and `€` printable and makes the
 * output identical on a laptop, in CI and in a slim container with no fonts installed.
 */
const require = createRequire(import.meta.url);
export const FONT_FAMILY = "DejaVu Sans";
export const FONT_REGULAR = require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf");
export const FONT_BOLD = require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf");
