import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { CONTENT_PHASES, type ContentPostDto } from "@modelworks/contracts/content";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import type { z } from "zod";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import {
  type ContentOutput,
  engagementRate,
  flaggedSpans,
  orderedVariants,
  type Variant,
  variantLabel,
} from "../lib/content.ts";
import { useOrg } from "../session.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";
import { CheckBadge, LinkedInConnection, LinkedInDraftActions } from "./linkedin.tsx";

type Post = z.output<typeof ContentPostDto>;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * A content-intel run read as a writer reads it (issue 17 item 6): the four drafts side by side —
 * recommended first — each with its prediction, its citations and any fact-check flag marked in
 * the text; on each, edit → copy / publish / schedule / record as published (linkedin.tsx); then
 * the feedback form of the posts recorded from this run. The model's declared tables and charts follow on the run page.
 */
export function ContentRunPanel({ runId, output }: { runId: string; output: ContentOutput }) {
  const { session, can } = useOrg();
  const canWrite = can("projects:write");
  const posts = useQuery({
    queryKey: queryKeys.contentPosts(session?.activeOrgId),
    queryFn: () => call(endpoints.contentPosts, { query: { limit: 100, sort: "-publishedAt" } }),
  });
  // The posts list has no run filter: the caller's latest 100, this run's picked out.
  const ofRun = (posts.data?.items ?? []).filter((p) => p.runId === runId);
  const variants = orderedVariants(output);
  return (
    <Stack>
      <Title order={2} size="h3">
        Drafts
      </Title>
      <LinkedInConnection />
      <SimpleGrid cols={{ base: 1, md: 2, xl: 4 }} aria-label="Drafts">
        {variants.map((v) => (
          <VariantCard
            key={v.kind}
            variant={v}
            recommended={v.kind === output.recommendedVariant}
            flags={output.flags.filter((f) => f.variant === v.kind)}
            runId={runId}
          />
        ))}
      </SimpleGrid>
      {ofRun.length ? (
        <Stack>
          <Title order={2} size="h3">
            Published from this run
          </Title>
          {ofRun.map((p) => (
            <PostCard key={p.id} post={p} canWrite={canWrite} />
          ))}
        </Stack>
      ) : null}
    </Stack>
  );
}

function VariantCard(props: {
  variant: Variant;
  recommended: boolean;
  flags: ContentOutput["flags"];
  runId: string;
}) {
  const v = props.variant;
  const spans = flaggedSpans(v.text, props.flags);
  return (
    <Card withBorder data-testid={`variant-${v.kind}`} aria-label={`${v.kind} draft`}>
      <Stack gap={6}>
        <Group justify="space-between">
          <Text fw={700} tt="capitalize">
            {variantLabel(v.kind)}
          </Text>
          <Group gap={4}>
            {props.recommended ? <Badge color="blue">recommended</Badge> : null}
            {v.clean ? (
              <Badge color="green" variant="light">
                checked
              </Badge>
            ) : (
              <Badge color="red" variant="light">
                {props.flags.length} flag{props.flags.length === 1 ? "" : "s"}
              </Badge>
            )}
          </Group>
        </Group>
        <Text size="sm">
          Predicted engagement <b>{v.prediction.enhanced.toFixed(3)}</b>
          {v.prediction.boost > 0
            ? ` (base ${v.prediction.base.toFixed(3)} + pattern boost ${v.prediction.boost.toFixed(3)})`
            : ""}
          {" · "}
          {v.chars.toLocaleString("en-US")} characters
        </Text>
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="variant-text">
          {spans.map((s) =>
            s.flag ? (
              <mark key={s.start} title={s.flag} style={{ background: "var(--mantine-color-red-1)" }}>
                {s.text}
              </mark>
            ) : (
              <span key={s.start}>{s.text}</span>
            ),
          )}
        </Text>
        {props.flags.length ? (
          <Stack gap={2} role="list" aria-label="Flags">
            {props.flags.map((f) => (
              <Text key={`${f.kind}:${f.start ?? ""}:${f.message}`} size="xs" c="red.9" role="listitem">
                ⚠ {f.message}
              </Text>
            ))}
          </Stack>
        ) : null}
        <Text size="xs" fw={600}>
          Sources cited
        </Text>
        {v.citations.length ? (
          <Stack gap={2} component="ol" style={{ margin: 0, paddingLeft: 18 }}>
            {v.citations.map((c) => (
              <li key={c.itemId}>
                <Anchor href={c.url} target="_blank" rel="noreferrer" size="xs">
                  {c.title}
                </Anchor>
                <Text span size="xs" c="dimmed">
                  {" "}
                  — {c.sourceName}
                </Text>
              </li>
            ))}
          </Stack>
        ) : (
          <Text size="xs" c="dimmed">
            No source cited.
          </Text>
        )}
        <LinkedInDraftActions runId={props.runId} variant={v} />
      </Stack>
    </Card>
  );
}

interface FeedbackForm {
  impressions: number;
  reactions: number;
  comments: number;
  reposts: number;
}

function PostCard({ post, canWrite }: { post: Post; canWrite: boolean }) {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const fb = post.feedback;
  const form = useForm<FeedbackForm>({
    defaultValues: {
      impressions: fb?.impressions ?? 0,
      reactions: fb?.reactions ?? 0,
      comments: fb?.comments ?? 0,
      reposts: fb?.reposts ?? 0,
    },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(endpoints.recordContentFeedback, { body: { postId: post.id, ...v } });
      await qc.invalidateQueries({ queryKey: queryKeys.contentPosts.all });
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  const preview = engagementRate(form.watch());
  const err = form.formState.errors;
  const count = (name: keyof FeedbackForm, label: string) => (
    <Controller
      control={form.control}
      name={name}
      render={({ field }) => (
        <NumberInput
          label={label}
          min={0}
          allowDecimal={false}
          thousandSeparator=","
          value={field.value}
          onChange={(v) => field.onChange(v === "" ? Number.NaN : Number(v))}
          error={err[name]?.message}
        />
      )}
    />
  );
  return (
    <Paper withBorder p="md" data-testid="content-post" aria-label={`Post ${post.variantKind}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600} tt="capitalize">
            {variantLabel(post.variantKind)} · published {formatDateTime(post.publishedAt)}
          </Text>
          <Group gap={4}>
            <CheckBadge flags={post.flags} />
            {post.predicted !== null ? (
              <Badge variant="light">predicted {post.predicted.toFixed(3)}</Badge>
            ) : null}
          </Group>
        </Group>
        {post.flags?.length ? (
          <Stack gap={0} role="list" aria-label="Flags kept with the post">
            {post.flags.map((f) => (
              <Text key={`${f.kind}:${f.start ?? ""}:${f.message}`} size="xs" c="red.9" role="listitem">
                ⚠ {f.message}
              </Text>
            ))}
          </Stack>
        ) : null}
        <Text size="sm" lineClamp={3} style={{ whiteSpace: "pre-wrap" }}>
          {post.text}
        </Text>
        {fb ? (
          <Text size="sm" data-testid="post-feedback">
            Recorded {formatDateTime(fb.recordedAt)}: {fb.impressions.toLocaleString("en-US")} impressions,{" "}
            {fb.reactions} reactions, {fb.comments} comments, {fb.reposts} reposts — engagement rate{" "}
            <b>{pct(fb.engagementRate)}</b>
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            No results recorded yet.
          </Text>
        )}
        {canWrite ? (
          <form onSubmit={submit} noValidate aria-label="Record results">
            <Stack gap="xs">
              <FormErrorAlert error={formError} />
              <Group grow align="flex-start">
                {count("impressions", "Impressions")}
                {count("reactions", "Reactions")}
                {count("comments", "Comments")}
                {count("reposts", "Reposts")}
              </Group>
              <Group>
                <Button type="submit" size="sm" loading={form.formState.isSubmitting}>
                  Record results
                </Button>
                <Text size="xs" c="dimmed">
                  {preview === null ? "Impressions must be at least 1." : `Engagement rate ${pct(preview)}`}
                </Text>
              </Group>
            </Stack>
          </form>
        ) : null}
      </Stack>
    </Paper>
  );
}

/**
 * content-intel's five phases while its run goes (issue 17 item 6): the phase the latest progress
 * message names is current, those before it done. Progress is coalesced on the way, so a phase
 * may never be named on its own; it still shows done once a later one is.
 */
export function ContentPhaseSteps({ current }: { current: number }) {
  return (
    <Group gap="xs" mt="xs" data-testid="content-phases" aria-label="Phases">
      {CONTENT_PHASES.map((title, i) => {
        const state = i < current ? "done" : i === current ? "running" : "waiting";
        return (
          <Badge
            key={title}
            variant={state === "waiting" ? "outline" : "light"}
            color={state === "done" ? "green" : state === "running" ? "blue" : "gray"}
            data-state={state}
            aria-current={state === "running" ? "step" : undefined}
          >
            {i + 1}. {title}
            {state === "done" ? " ✓" : ""}
          </Badge>
        );
      })}
    </Group>
  );
}
