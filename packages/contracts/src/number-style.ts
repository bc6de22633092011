import { z } from "zod";

/**
 * How an organization writes negative numbers (issue 18 item 8): a minus sign, `−1,234`, or
 * accounting brackets, `(1,234)`, and whether they are also red. One setting for every view of
 * the web app and every export (PDF/Word text, XLSX number formats).
 */
export const NEGATIVE_NUMBER_STYLES = ["minus", "brackets"] as const;
export type NegativeNumberStyle = (typeof NEGATIVE_NUMBER_STYLES)[number];
export const NegativeNumbers = z.enum(NEGATIVE_NUMBER_STYLES, {
  message: `must be one of ${NEGATIVE_NUMBER_STYLES.join(", ")}`,
});

/** The number style of an org, as the formatters take it. */
export interface NumberStyle {
  negatives: NegativeNumberStyle;
  red: boolean;
}
export const DEFAULT_NUMBER_STYLE: NumberStyle = { negatives: "minus", red: false };
export const NumberStyleDto = z
  .object({ negatives: NegativeNumbers, red: z.boolean() })
  .meta({ id: "NumberStyle" }) satisfies z.ZodType<NumberStyle>;

/** A BCP 47 tag with a region (`en-US`, `de-DE`): the region decides the paper and date format. */
export const Locale = z
  .string()
  .regex(/^[a-z]{2,3}-[A-Z]{2}$/, "must be a language and region such as en-US or de-DE");
