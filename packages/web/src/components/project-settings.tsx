import { zodResolver } from "@hookform/resolvers/zod";
import { Badge, Button, Group, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import { UpdateProjectBody } from "@modelworks/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { applyServerErrors } from "../forms.ts";
import type { Project } from "../types.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";

type Values = z.input<typeof UpdateProjectBody>;

/**
 * Rename / describe a project, and archive or restore it (PATCH /projects/:id with status), for
 * those who may write projects. An archived project keeps its scenarios and runs.
 */
export function ProjectActions({ project }: { project: Project }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const archived = project.status === "archived";
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: queryKeys.project.all });
    await qc.invalidateQueries({ queryKey: queryKeys.projects.all });
  };
  const toggleArchive = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(endpoints.updateProject, {
        params: { id: project.id },
        body: { status: archived ? "active" : "archived" },
      });
      await refresh();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs" align="flex-end">
      <Group gap="xs">
        {archived ? (
          <Badge color="gray.8" variant="filled" data-testid="project-archived">
            archived
          </Badge>
        ) : null}
        <Button variant="default" size="xs" onClick={() => setEditing(true)}>
          Edit project
        </Button>
        <Button
          variant="light"
          color={archived ? "blue" : "orange.9"}
          size="xs"
          loading={busy}
          onClick={toggleArchive}
        >
          {archived ? "Restore project" : "Archive project"}
        </Button>
      </Group>
      <FormErrorAlert error={error} p="xs" />
      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit project">
        {editing ? (
          <EditForm
            project={project}
            onDone={async () => {
              await refresh();
              setEditing(false);
            }}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

function EditForm({ project, onDone }: { project: Project; onDone: () => Promise<void> }) {
  const form = useForm<Values>({
    resolver: zodResolver(UpdateProjectBody),
    defaultValues: { name: project.name, description: project.description },
  });
  const [formError, setFormError] = useState<string | null>(null);
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(endpoints.updateProject, { params: { id: project.id }, body: v });
      await onDone();
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Name" {...form.register("name")} error={form.formState.errors.name?.message} />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          {...form.register("description")}
          error={form.formState.errors.description?.message}
        />
        <FormErrorAlert error={formError} />
        <Group justify="flex-end">
          <Button type="submit" loading={form.formState.isSubmitting}>
            Save project
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
