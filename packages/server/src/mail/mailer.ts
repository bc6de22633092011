import nodemailer from "nodemailer";
import type { Config } from "../config.ts";

/** One plain-text message. Plain text only: the links must survive any mail client unchanged. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends account mail (verification links, sign-up notices). With SMTP_URL it speaks SMTP through
 * nodemailer; without it (the embedded `npm start`) it prints each message to stdout, so a person
 * trying the app can click the link. Printing goes to stdout directly, never through the JSON
 * logger: log lines are shipped and kept, and a link carries a one-time secret.
 */
export interface Mailer {
  readonly kind: "smtp" | "console";
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(config: Config, write: (text: string) => void = consoleWrite): Mailer {
  if (!config.SMTP_URL) {
    return {
      kind: "console",
      async send(mail) {
        write(
          [
            "",
            `  ── Mail (no SMTP_URL set, so printed here) ──`,
            `  To:      ${mail.to}`,
            `  Subject: ${mail.subject}`,
            "",
            ...mail.text.split("\n").map((l) => `  ${l}`),
            "",
          ].join("\n"),
        );
      },
      close() {},
    };
  }
  // A pool keeps one connection open for bursts (sign-ups) instead of a handshake per message.
  const transport = nodemailer.createTransport(config.SMTP_URL, {
    pool: true,
    maxConnections: 2,
    connectionTimeout: config.SMTP_TIMEOUT_MS,
    greetingTimeout: config.SMTP_TIMEOUT_MS,
    socketTimeout: config.SMTP_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[1]);
  return {
    kind: "smtp",
    async send(mail) {
      await transport.sendMail({
        from: config.MAIL_FROM,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
      });
    },
    close() {
      transport.close();
    },
  };
}

function consoleWrite(text: string) {
  process.stdout.write(`${text}\n`);
}
