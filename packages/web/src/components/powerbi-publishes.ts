/**
 * The Power BI publish choice: a new dataset, or an earlier publish's dataset to update
 * (docs/decisions/0048 addendum: POST …/powerbi-publish with `{ datasetId }`; the earlier ones come
 * from GET …/powerbi-publishes). Pure, so the choice is tested without a browser.
 */

/** "new" for a new dataset, otherwise the id of the dataset to update. */
export type PublishChoice = "new" | (string & {});

/** The request body for a choice: empty for a new dataset. */
export function publishBody(choice: PublishChoice): { datasetId?: string } {
  return choice === "new" ? {} : { datasetId: choice };
}

/** The message the server gave for `body.datasetId` (e.g. a dataset whose tables changed). */
export function datasetIdError(fieldErrors: { path: string; message: string }[]): string | undefined {
  return fieldErrors.find((e) => e.path === "body.datasetId" || e.path === "datasetId")?.message;
}
