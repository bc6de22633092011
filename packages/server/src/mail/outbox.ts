import type { Logger } from "../domain/actor.ts";
import type { Mail, Mailer } from "./mailer.ts";

/**
 * Mail leaves after the response: a request never waits on (or fails because of) the mail
 * server, and a sign-up for a new address takes as long as one for a known address whatever
 * each mails. A failed send is logged with what it was for, never with its text (the text
 * holds a one-time link); the person can ask for another link.
 */
export interface Outbox {
  send(mail: Mail, about: { purpose: string; userId: string | null }): void;
  /** Waits for every send in flight (on close, and in tests). */
  drain(): Promise<void>;
}

export function createOutbox(mailer: Mailer, log: Logger): Outbox {
  const inFlight = new Set<Promise<void>>();
  return {
    send(mail, about) {
      const p = mailer
        .send(mail)
        .then(() => log.info({ mail: about.purpose, userId: about.userId, via: mailer.kind }, "mail sent"))
        .catch((err: Error & { code?: string; responseCode?: number }) => {
          log.error(
            {
              mail: about.purpose,
              userId: about.userId,
              via: mailer.kind,
              // The error's own fields only: never the message object, which carries the link.
              error: { name: err.name, code: err.code, responseCode: err.responseCode, message: err.message },
            },
            "mail not sent",
          );
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
