import { createContext } from "react";

/**
 * The model (and version) whose input the scenario editor edits: what the upload of an input
 * table maps onto and where its CSV template comes from. Null outside an editor.
 */
export const InputModelContext = createContext<{ id: string; version: string } | null>(null);
