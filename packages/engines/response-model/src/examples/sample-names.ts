/** Names of the sample files bundled with the engine (input `sampleData`). */
export const SAMPLE_DATA_NAMES = ["campaigniq"] as const;
export type SampleDataName = (typeof SAMPLE_DATA_NAMES)[number];
