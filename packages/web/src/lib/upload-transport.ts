import { API, ApiError, call, getCsrfToken } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import type { UploadTransport } from "./resumable-upload.ts";

/**
 * The browser's side of the resumable-upload protocol (lib/resumable-upload.ts has the loop):
 * chunks over XMLHttpRequest, as fetch cannot report upload progress; the rest through `call()`.
 */
const headers = (extra: Record<string, string> = {}) => {
  const h: Record<string, string> = { accept: "application/json", ...extra };
  const csrf = getCsrfToken();
  if (csrf) h["x-csrf-token"] = csrf;
  return h;
};

export const browserTransport: UploadTransport = {
  create: (body) => call(endpoints.createUpload, { body }),
  status: (id) => call(endpoints.upload, { params: { id } }),
  complete: (id) => call(endpoints.completeUpload, { params: { id } }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  sendChunk: (id, offset, chunk, onSent) =>
    new Promise<number>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PATCH", `${API}/uploads/${id}`);
      xhr.withCredentials = true;
      for (const [k, v] of Object.entries(
        headers({ "content-type": "application/offset+octet-stream", "upload-offset": String(offset) }),
      ))
        xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => onSent(e.loaded);
      xhr.onerror = () =>
        reject(new ApiError(0, { title: "Network error", detail: "The connection dropped while sending." }));
      xhr.ontimeout = xhr.onerror;
      xhr.onload = () => {
        if (xhr.status === 204) {
          resolve(Number(xhr.getResponseHeader("upload-offset") ?? offset + chunk.size));
          return;
        }
        let problem: Record<string, unknown>;
        try {
          problem = JSON.parse(xhr.responseText) as Record<string, unknown>;
        } catch {
          problem = { title: xhr.statusText, detail: xhr.responseText.slice(0, 200) };
        }
        reject(new ApiError(xhr.status, problem));
      };
      xhr.send(chunk);
    }),
};
