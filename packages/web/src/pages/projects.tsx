import { zodResolver } from "@hookform/resolvers/zod";
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { CreateProjectBody } from "@modelworks/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useLocation } from "wouter";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { ProjectDashboards } from "../components/dashboard-list.tsx";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { NewScenarioForm } from "../components/new-scenario.tsx";
import { ProjectActions } from "../components/project-settings.tsx";
import { RunList } from "../components/run-list.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import { useModels, useProjects } from "../queries.ts";
import { useOrg } from "../session.ts";

/** The first steps, shown until the organization has a couple of projects (issue 18 item 15). */
function GuidedStart() {
  return (
    <Paper withBorder p="md" data-testid="guided-start">
      <Title order={2} size="h4" mb="xs">
        Getting started
      </Title>
      <List type="ordered" spacing={4} size="sm">
        <List.Item>
          Browse the{" "}
          <Anchor component={Link} href="/models">
            model catalog
          </Anchor>{" "}
          — each model comes with worked examples.
        </List.Item>
        <List.Item>Create a project below for your deal or question.</List.Item>
        <List.Item>
          In the project, start a scenario from an example, change the inputs in their own units (percents as
          percents), and run it.
        </List.Item>
        <List.Item>Save revisions with a note, run again and compare the runs side by side.</List.Item>
      </List>
    </Paper>
  );
}

export function ProjectsPage() {
  const { session, can } = useOrg();
  const projects = useProjects(session?.activeOrgId);
  return (
    <Stack>
      <Title order={1} size="h2">
        Projects
      </Title>
      {can("projects:write") && projects.data && projects.data.items.length < 2 ? <GuidedStart /> : null}
      {can("projects:write") ? <NewProjectForm /> : null}
      {projects.isPending ? (
        <Loading label="Loading projects…" />
      ) : projects.error ? (
        <ErrorState error={projects.error} onRetry={() => projects.refetch()} />
      ) : projects.data.items.length === 0 ? (
        <Empty title="No projects yet">
          {can("projects:write")
            ? "A project groups the scenarios and runs of one deal or question. Create the first one above."
            : "Nobody in this organization has created a project yet."}
        </Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {projects.data.items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} href={`/projects/${p.id}`}>
                    {p.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={1}>
                    {p.description}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={p.status === "active" ? "green" : "gray"}>
                    {p.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(p.updatedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function NewProjectForm() {
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ name: string; description: string }>({
    resolver: zodResolver(CreateProjectBody) as never,
    defaultValues: { name: "", description: "" },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      const p = await call(endpoints.createProject, { body: v });
      await qc.invalidateQueries({ queryKey: queryKeys.projects.all });
      navigate(`/projects/${p.id}`);
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate>
        <Group align="flex-start">
          <TextInput
            label="Project name"
            w={260}
            {...form.register("name")}
            error={form.formState.errors.name?.message}
          />
          <Textarea
            label="Description"
            w={380}
            autosize
            minRows={1}
            {...form.register("description")}
            error={form.formState.errors.description?.message}
          />
          <Button type="submit" mt={25} loading={form.formState.isSubmitting}>
            Create project
          </Button>
        </Group>
        <FormErrorAlert error={formError} mt="sm" />
      </form>
    </Paper>
  );
}

export function ProjectPage({ id }: { id: string }) {
  const { session, can } = useOrg();
  const models = useModels();
  const project = useQuery({
    queryKey: queryKeys.project(session?.activeOrgId, id),
    queryFn: () => call(endpoints.project, { params: { id } }),
  });
  const scenarios = useQuery({
    queryKey: queryKeys.scenarios(session?.activeOrgId, id),
    queryFn: () => call(endpoints.scenarios, { params: { projectId: id }, query: { limit: 100 } }),
  });
  if (project.isPending) return <Loading />;
  if (project.error) return <ErrorState error={project.error} onRetry={() => project.refetch()} />;
  const title = (modelId: string) => models.data?.find((m) => m.id === modelId)?.title ?? modelId;
  return (
    <Stack>
      <div>
        <Anchor component={Link} href="/projects" size="sm">
          ← Projects
        </Anchor>
        <Group justify="space-between" align="flex-start">
          <Title order={1} size="h2">
            {project.data.name}
          </Title>
          {can("projects:write") ? <ProjectActions project={project.data} /> : null}
        </Group>
        {project.data.description ? <Text c="dimmed">{project.data.description}</Text> : null}
      </div>
      {can("projects:write") ? (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            New scenario
          </Title>
          <NewScenarioForm projectId={id} />
        </Card>
      ) : null}
      <Title order={2} size="h3">
        Scenarios
      </Title>
      {scenarios.isPending ? (
        <Loading />
      ) : scenarios.error ? (
        <ErrorState error={scenarios.error} />
      ) : scenarios.data.items.length === 0 ? (
        <Empty title="No scenarios in this project">
          A scenario is one set of inputs for a model, kept with its revisions and runs.
        </Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Scenario</Table.Th>
              <Table.Th>Model</Table.Th>
              <Table.Th>Revision</Table.Th>
              <Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {scenarios.data.items.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Anchor component={Link} href={`/scenarios/${s.id}`}>
                    {s.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {title(s.modelId)}{" "}
                  <Text span size="xs" c="dimmed">
                    v{s.modelVersion}
                  </Text>
                </Table.Td>
                <Table.Td>{s.revision}</Table.Td>
                <Table.Td>{formatDateTime(s.updatedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ProjectDashboards projectId={id} />
      <Title order={2} size="h3">
        Recent runs
      </Title>
      <RunList filter={{ projectId: id }} />
    </Stack>
  );
}
