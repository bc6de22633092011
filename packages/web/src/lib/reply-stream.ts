import { useEffect, useState } from "react";
import { API } from "../api.ts";

export interface ReplyStream {
  /** The reply text the language model has written so far (`event: text` deltas, joined). */
  text: string;
  /**
   * The stream is over (the run ended, or the stream broke): a reply still pending after this is
   * read again by polling until it is stored.
   */
  ended: boolean;
}

/**
 * Follows a pending reply's planning run over the run's event stream (SSE): the model's text as
 * it is written, then `onEnd` once the run has finished — when the stored reply can be read. This
 * replaces polling the conversation while a reply is pending.
 */
export function useReplyStream(runId: string | null, onEnd: () => void): ReplyStream {
  const [state, setState] = useState<ReplyStream>({ text: "", ended: false });
  // biome-ignore lint/correctness/useExhaustiveDependencies: onEnd is read when the stream ends, not a reason to reconnect
  useEffect(() => {
    setState({ text: "", ended: false });
    if (!runId) return;
    const es = new EventSource(`${API}/runs/${runId}/events`, { withCredentials: true });
    es.addEventListener("text", (e) => {
      const delta = (JSON.parse((e as MessageEvent).data) as { text?: string }).text;
      if (delta) setState((s) => ({ ...s, text: s.text + delta }));
    });
    const end = () => {
      es.close();
      setState((s) => ({ ...s, ended: true }));
      onEnd();
    };
    es.addEventListener("status", end);
    es.onerror = end;
    return () => es.close();
  }, [runId]);
  return state;
}
