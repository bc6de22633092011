import type { FastifyReply } from "fastify";
import type { ExportFile } from "../exports/index.ts";
import { contentDisposition } from "./content-disposition.ts";

/** Sends a file as a download: never cached by shared caches, never sniffed into something else. */
export function sendFile(reply: FastifyReply, file: ExportFile) {
  return reply
    .header("content-type", file.contentType)
    .header("content-disposition", contentDisposition(file.fileName))
    .header("content-length", file.body.length)
    .header("cache-control", "private, no-store")
    .header("x-content-type-options", "nosniff")
    .send(file.body);
}
