import { Button, Group, Select, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useLocation } from "wouter";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { plainHelp } from "../lib/glossary.ts";
import { useModel, useModels, useProjects } from "../queries.ts";
import { useOrg } from "../session.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";

/**
 * A new scenario starts from one of the model's examples (a complete, valid input) so the
 * editor opens on numbers that run; the person then changes what differs in their case.
 */
export function NewScenarioForm({ projectId, modelId }: { projectId?: string; modelId?: string }) {
  const { session } = useOrg();
  const [, navigate] = useLocation();
  const qc = useQueryClient();
  const models = useModels();
  const projects = useProjects(session?.activeOrgId);
  const [model, setModel] = useState<string | null>(modelId ?? null);
  const [project, setProject] = useState<string | null>(projectId ?? null);
  const [example, setExample] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const detail = useModel(model ?? undefined);
  const examples = detail.data?.examples ?? [];
  const chosen = examples.find((e) => e.name === example) ?? examples[0];

  const create = async () => {
    setError(null);
    if (!project) return setError("Choose a project.");
    if (!model || !chosen) return setError("Choose a model.");
    if (!name.trim()) return setError("Give the scenario a name.");
    setBusy(true);
    try {
      const s = await call(endpoints.createScenario, {
        params: { projectId: project },
        body: {
          name: name.trim(),
          modelId: model,
          input: chosen.input,
          note: `From example: ${plainHelp(chosen.title)}`,
        },
      });
      await qc.invalidateQueries({ queryKey: queryKeys.scenarios.all });
      navigate(`/scenarios/${s.id}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Group align="flex-end">
        {projectId ? null : (
          <Select
            label="Project"
            w={220}
            data={(projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={project}
            onChange={setProject}
            placeholder={projects.data?.items.length === 0 ? "Create a project first" : "Choose…"}
          />
        )}
        {modelId ? null : (
          <Select
            label="Model"
            w={260}
            data={(models.data ?? []).map((m) => ({ value: m.id, label: m.title }))}
            value={model}
            onChange={(v) => {
              setModel(v);
              setExample(null);
            }}
            placeholder="Choose…"
          />
        )}
        <Select
          label="Start from example"
          w={260}
          disabled={!model}
          data={examples.map((e) => ({ value: e.name, label: plainHelp(e.title) ?? e.name }))}
          value={chosen?.name ?? null}
          onChange={setExample}
        />
        <TextInput
          label="Scenario name"
          w={220}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Button onClick={create} loading={busy}>
          Create scenario
        </Button>
      </Group>
      <FormErrorAlert error={error} mt="sm" />
    </>
  );
}
