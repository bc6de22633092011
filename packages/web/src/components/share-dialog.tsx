import { zodResolver } from "@hookform/resolvers/zod";
import {
  Alert,
  Button,
  CopyButton,
  Group,
  Modal,
  NativeSelect,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { CreateShareLinkBody } from "@modelworks/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import { useOrg } from "../session.ts";
import type { CreatedShareLink, ShareLink } from "../types.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";
import { ShareLinksTable } from "./share-links-table.tsx";

const EXPIRY_CHOICES = [
  { value: "24", label: "1 day" },
  { value: "168", label: "7 days" },
  { value: "720", label: "30 days" },
  { value: "2160", label: "90 days" },
];

/** The page a recipient opens: the web app's read-only view, not the API's JSON. */
export const sharedPageUrl = (token: string, dashboard = false) =>
  `${window.location.origin}/shared/${dashboard ? "dashboards/" : ""}${encodeURIComponent(token)}`;

/**
 * Share links of one run, or of one dashboard (`conversationId`: a live link to its current plan):
 * create one (expiry, label) and copy it — the token is shown once, the server keeps only its
 * hash — and list or revoke the run's (or dashboard's) links.
 */
export function ShareDialog({
  runId,
  conversationId,
  compareWith = [],
  opened,
  onClose,
  canShare,
}: {
  runId?: string;
  /** Share this conversation's dashboard instead of a run. */
  conversationId?: string;
  /** Other runs of the same model: the link shares a comparison against `runId`. */
  compareWith?: string[];
  opened: boolean;
  onClose: () => void;
  canShare: boolean;
}) {
  const { session } = useOrg();
  const qc = useQueryClient();
  const [created, setCreated] = useState<CreatedShareLink | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const links = useQuery({
    queryKey: queryKeys.shareLinks(
      session?.activeOrgId,
      conversationId ? "dashboard" : "run",
      conversationId ?? runId,
    ),
    queryFn: () =>
      call(endpoints.shareLinks, {
        query: { ...(conversationId ? { conversationId } : { runId }), limit: 100, sort: "-createdAt" },
      }),
    enabled: opened,
  });
  const form = useForm<{ expiresInHours: number; label: string }>({
    resolver: zodResolver(CreateShareLinkBody) as never,
    defaultValues: { expiresInHours: 168, label: "" },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      const link = conversationId
        ? await call(endpoints.createDashboardShareLink, {
            params: { id: conversationId },
            body: { expiresInHours: v.expiresInHours, label: v.label },
          })
        : await call(endpoints.createShareLink, {
            params: { id: runId! },
            body: { expiresInHours: v.expiresInHours, label: v.label, compareWith },
          });
      setCreated(link);
      form.reset({ expiresInHours: v.expiresInHours, label: "" });
      await qc.invalidateQueries({ queryKey: queryKeys.shareLinks.all });
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  const revoke = async (link: ShareLink) => {
    setListError(null);
    try {
      await call(endpoints.revokeShareLink, { params: { id: link.id } });
      if (created?.id === link.id) setCreated(null);
      await qc.invalidateQueries({ queryKey: queryKeys.shareLinks.all });
    } catch (err) {
      setListError(errorMessage(err));
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={
        conversationId
          ? "Share this dashboard"
          : compareWith.length
            ? "Share this comparison"
            : "Share these results"
      }
      size="xl"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <Stack>
        <Text size="sm" c="dimmed">
          {conversationId
            ? "Anyone with the link sees this dashboard as it is at each visit (new revisions and replaced files show up), can filter it and download it as PDF or PNG"
            : compareWith.length
              ? `Anyone with the link sees the comparison of these ${compareWith.length + 1} runs and each run's inputs and results, and can download them`
              : "Anyone with the link sees this run's inputs and results and can download them"}
          , without an account, until the link expires or is revoked.
        </Text>
        {canShare ? (
          <form onSubmit={submit} noValidate aria-label="Create a share link">
            <Group align="flex-end">
              <Controller
                control={form.control}
                name="expiresInHours"
                render={({ field, fieldState }) => (
                  <NativeSelect
                    label="Link expires after"
                    data={EXPIRY_CHOICES}
                    value={String(field.value)}
                    onChange={(e) => field.onChange(Number(e.currentTarget.value))}
                    error={fieldState.error?.message}
                    w={150}
                  />
                )}
              />
              <TextInput
                label="Label (recipients see it)"
                placeholder="e.g. For the lender"
                maxLength={200}
                style={{ flex: 1 }}
                {...form.register("label")}
                error={form.formState.errors.label?.message}
              />
              <Button type="submit" loading={form.formState.isSubmitting}>
                Create link
              </Button>
            </Group>
          </form>
        ) : (
          <Text size="sm">
            Your role can see this {conversationId ? "dashboard" : "run"}'s links but not create or revoke
            them.
          </Text>
        )}
        <FormErrorAlert error={formError} />
        {created ? (
          <Alert color="green" title="Link created" data-testid="created-share-link">
            <Stack gap="xs">
              <Text size="sm">Copy it now: for safety it is not shown again.</Text>
              <Group align="flex-end" wrap="nowrap">
                <TextInput
                  label="Share link"
                  readOnly
                  value={sharedPageUrl(created.token, !!conversationId)}
                  onFocus={(e) => e.currentTarget.select()}
                  style={{ flex: 1 }}
                  data-autofocus
                />
                <CopyButton value={sharedPageUrl(created.token, !!conversationId)}>
                  {({ copied, copy }) => (
                    <Button variant={copied ? "light" : "filled"} onClick={copy}>
                      {copied ? "Copied" : "Copy link"}
                    </Button>
                  )}
                </CopyButton>
              </Group>
              <Text size="xs" c="dimmed">
                Expires {formatDateTime(created.expiresAt)}
              </Text>
            </Stack>
          </Alert>
        ) : null}
        <Title order={3} size="h5">
          {conversationId
            ? "Links to this dashboard"
            : `Links that include ${compareWith.length ? "the baseline run" : "this run"}`}
        </Title>
        <FormErrorAlert error={listError} />
        {links.error ? (
          <FormErrorAlert error={links.error} />
        ) : links.data && links.data.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No links yet.
          </Text>
        ) : links.data ? (
          <ShareLinksTable links={links.data.items} canRevoke={canShare} onRevoke={(l) => void revoke(l)} />
        ) : (
          <Text size="sm" c="dimmed" role="status">
            Loading links…
          </Text>
        )}
      </Stack>
    </Modal>
  );
}
