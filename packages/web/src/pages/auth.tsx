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
import { SignInBody, SignUpBody } from "@modelworks/server/contracts";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "wouter";
import { api } from "../api.ts";
import { applyServerErrors } from "../forms.ts";
import { useSessionChange } from "../session.ts";
import type { Session } from "../types.ts";

type Values = { email: string; password: string; name?: string };

export function AuthPage({ mode }: { mode: "sign-in" | "sign-up" }) {
  const signUp = mode === "sign-up";
  const change = useSessionChange();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Values>({
    // The server's own schemas: the same rules, the same messages, before the request is sent.
    resolver: zodResolver(signUp ? SignUpBody : SignInBody) as never,
    defaultValues: signUp ? { email: "", password: "", name: "" } : { email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      const s = await api<Session>(`/auth/${mode}`, { method: "POST", body: values });
      await change(s);
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={400} maw="100%" component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              {signUp ? "Create your Modelworks account" : "Sign in to Modelworks"}
            </Title>
            {formError ? (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            ) : null}
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
