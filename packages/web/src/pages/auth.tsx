import { zodResolver } from "@hookform/resolvers/zod";
import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { SignInBody, SignUpBody } from "@modelworks/contracts";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useLocation, useSearch } from "wouter";
import { call, errorMessage, hasCode } from "../api.ts";
import * as endpoints from "../client/endpoints-session.ts";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { applyServerErrors } from "../forms.ts";
import { useSessionChange } from "../session.ts";

type Values = { email: string; password: string; name?: string };

/**
 * Where to go once the address is confirmed: the `next` of the sign-up or sign-in page, kept in
 * this browser because the mailed link cannot carry it (it opens in whatever tab the mail
 * client picks).
 */
const NEXT_KEY = "mw:after-verify";
function rememberNext() {
  const next = new URLSearchParams(window.location.search).get("next");
  if (next?.startsWith("/") && !next.startsWith("//")) localStorage.setItem(NEXT_KEY, next);
  else localStorage.removeItem(NEXT_KEY);
}

export function AuthPage({ mode }: { mode: "sign-in" | "sign-up" }) {
  const signUp = mode === "sign-up";
  const change = useSessionChange();
  const [formError, setFormError] = useState<string | null>(null);
  /** Set when a link has been mailed: after sign-up, or a sign-in of an unconfirmed account. */
  const [sentTo, setSentTo] = useState<{ email: string; why: "sign-up" | "unverified" } | null>(null);
  const form = useForm<Values>({
    // The server's own schemas: the same rules, the same messages, before the request is sent.
    resolver: zodResolver(signUp ? SignUpBody : SignInBody) as never,
    defaultValues: signUp ? { email: "", password: "", name: "" } : { email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      if (signUp) {
        // 202 whether or not the address has an account: the mail tells the rest.
        await call(endpoints.signUp, { body: { ...values, name: values.name ?? "" } });
        rememberNext();
        setSentTo({ email: values.email.trim().toLowerCase(), why: "sign-up" });
        return;
      }
      const s = await call(endpoints.signIn, { body: values });
      await change(s);
    } catch (err) {
      if (!signUp && hasCode(err, "email_not_verified")) {
        // The right password for an address not confirmed yet; the server mailed a new link.
        rememberNext();
        setSentTo({ email: values.email.trim().toLowerCase(), why: "unverified" });
        return;
      }
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  if (sentTo) return <CheckYourEmail email={sentTo.email} why={sentTo.why} />;
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={400} maw="100%" component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              {signUp ? "Create your Modelworks account" : "Sign in to Modelworks"}
            </Title>
            <FormErrorAlert error={formError} />
            {signUp ? (
              <TextInput
                label="Name"
                autoComplete="name"
                {...form.register("name")}
                error={errors.name?.message}
              />
            ) : null}
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              {...form.register("email")}
              error={errors.email?.message}
            />
            <PasswordInput
              label="Password"
              description={signUp ? "At least 10 characters; a passphrase is best." : undefined}
              autoComplete={signUp ? "new-password" : "current-password"}
              {...form.register("password")}
              error={errors.password?.message}
            />
            <Button type="submit" loading={isSubmitting}>
              {signUp ? "Create account" : "Sign in"}
            </Button>
            <Text size="sm">
              {signUp ? "Already have an account? " : "New to Modelworks? "}
              <Anchor component={Link} href={`${signUp ? "/sign-in" : "/sign-up"}${window.location.search}`}>
                {signUp ? "Sign in" : "Create an account"}
              </Anchor>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

/** After sign-up (or a sign-in before confirming): where the link went, and a way to get another. */
function CheckYourEmail({ email, why }: { email: string; why: "sign-up" | "unverified" }) {
  const [resent, setResent] = useState<"idle" | "sending" | "sent" | string>("idle");
  const resend = async () => {
    setResent("sending");
    try {
      await call(endpoints.resendVerification, { body: { email } });
      setResent("sent");
    } catch (err) {
      setResent(errorMessage(err));
    }
  };
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={440} maw="100%" component="main">
        <Stack>
          <Title order={1} size="h2">
            Check your email
          </Title>
          {why === "unverified" ? (
            <Alert color="yellow" role="alert">
              Confirm your email address first: this account has not been confirmed yet.
            </Alert>
          ) : null}
          <Text>
            We sent a link to <b>{email}</b>. Open it and enter this password to confirm your address; that
            signs you in. Only the newest link works, once, for a day.
          </Text>
          <Text size="sm" c="dimmed">
            Running Modelworks yourself without a mail server (no <code>SMTP_URL</code>)? The message, link
            included, is printed in the terminal where the server runs.
          </Text>
          {resent === "sent" ? (
            <Alert color="green" role="status">
              A new link is on its way; earlier links no longer work.
            </Alert>
          ) : resent !== "idle" && resent !== "sending" ? (
            <FormErrorAlert error={resent} />
          ) : null}
          <Button variant="default" onClick={resend} loading={resent === "sending"}>
            Send the link again
          </Button>
          <Text size="sm">
            <Anchor component={Link} href="/sign-in">
              Back to sign in
            </Anchor>
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}

/**
 * `/verify-email?token=…&email=…`, the mailed link. The token proves the mailbox; the password
 * proves this is the sign-up that set the account's password (someone else may have signed up
 * with the address), so both are asked for: the address is shown, one password field, one button.
 * A password manager that saved the sign-up fills the field. docs/decisions/0018-email.md.
 */
export function VerifyEmailPage() {
  const params = new URLSearchParams(useSearch());
  const token = params.get("token") ?? "";
  const email = params.get("email") ?? "";
  const change = useSessionChange();
  const [, navigate] = useLocation();
  /** The link itself failed (used, replaced, expired, unknown): the password cannot help. */
  const [linkError, setLinkError] = useState<string | null>(token ? null : "This link has no token.");
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ password: string }>({ defaultValues: { password: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async ({ password }) => {
    setFormError(null);
    if (!password) {
      form.setError("password", { type: "required", message: "is required" });
      return;
    }
    try {
      const s = await call(endpoints.verifyEmail, { body: { token, password } });
      const next = localStorage.getItem(NEXT_KEY);
      localStorage.removeItem(NEXT_KEY);
      await change(s);
      navigate(next ?? "/", { replace: true });
    } catch (err) {
      if (hasCode(err, "not_found", "verification_link_used", "verification_link_expired")) {
        setLinkError(errorMessage(err));
        return;
      }
      // A wrong password: its field says so, the alert says what to do.
      applyServerErrors(err, form.setError);
      setFormError(errorMessage(err));
    }
  });
  if (linkError) {
    return (
      <Center mih="100vh" p="md">
        <Paper withBorder p="xl" w={440} maw="100%" component="main">
          <Stack>
            <Title order={1} size="h2">
              This link did not work
            </Title>
            <FormErrorAlert error={linkError} />
            <Text size="sm">
              <Anchor component={Link} href="/sign-in">
                Sign in
              </Anchor>{" "}
              (signing in to an unconfirmed account mails a new link).
            </Text>
          </Stack>
        </Paper>
      </Center>
    );
  }
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={440} maw="100%" component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Confirm your email address
            </Title>
            <Text>
              {email ? (
                <>
                  Enter the password you chose when you signed up as <b>{email}</b>.
                </>
              ) : (
                "Enter the password you chose when you signed up."
              )}
            </Text>
            <FormErrorAlert error={formError} />
            {/* For password managers: the account this password belongs to. */}
            <input type="email" name="email" autoComplete="username" value={email} readOnly hidden />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              autoFocus
              {...form.register("password")}
              error={errors.password?.message}
            />
            <Button type="submit" loading={isSubmitting}>
              Confirm and sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
