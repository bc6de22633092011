/**
 * The prototype's lookup tables (src/models/lookups.py; spec §2.2), "from spreadsheet v10c".
 */
import type { AMI_LEVELS, UNIT_TYPES } from "../schema.ts";

/** Monthly rent limits by AMI level and unit type, $/unit/month. */
export const AMI_RENT_LIMITS: Record<
  (typeof AMI_LEVELS)[number],
  Record<(typeof UNIT_TYPES)[number], number>
> = {
  "30%": { studio: 703, "1br": 703, "2br": 803, "3br": 903, "4br": 1003 },
  "50%": { studio: 1171, "1br": 1171, "2br": 1338, "3br": 1506, "4br": 1672 },
  "60%": { studio: 1405, "1br": 1405, "2br": 1606, "3br": 1807, "4br": 2007 },
  "80%": { studio: 1498, "1br": 1498, "2br": 1712, "3br": 1925, "4br": 2139 },
  "100%": { studio: 1823, "1br": 1823, "2br": 2085, "3br": 2345, "4br": 2605 },
};
