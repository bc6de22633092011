/**
 * The prototype's lookup tables (src/models/lookups.py; spec §2.2), "from spreadsheet v10c" — now
 * the shipped edition of the AMI dataset (src/reference-data/shipped.ts), as a lookup.
 */
import { amiLimitsOf } from "../reference-data/index.ts";
import { PROTOTYPE_AMI_RENT_LIMITS } from "../reference-data/shipped.ts";

/** Monthly rent limits by AMI level and unit type, $/unit/month. */
export const AMI_RENT_LIMITS = amiLimitsOf(PROTOTYPE_AMI_RENT_LIMITS);
