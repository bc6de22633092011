import { Anchor, Badge, Card, Group, List, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { Link } from "wouter";
import { NewScenarioForm } from "../components/new-scenario.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { GLOSSARY } from "../lib/glossary.ts";
import { useModel, useModels } from "../queries.ts";
import { useOrg } from "../session.ts";

export function CatalogPage() {
  const models = useModels();
  if (models.isPending) return <Loading label="Loading the catalog…" />;
  if (models.error) return <ErrorState error={models.error} onRetry={() => models.refetch()} />;
  if (models.data.length === 0) return <Empty title="No models are hosted on this server" />;
  return (
    <Stack>
      <Title order={1} size="h2">
        Model catalog
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {models.data.map((m) => (
          <Card key={m.id} withBorder padding="lg">
            <Stack gap="xs">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Anchor component={Link} href={`/models/${m.id}`} fw={600} size="lg">
                  {m.title}
                </Anchor>
                <Group gap={4} wrap="nowrap">
                  <Badge variant="light">v{m.version}</Badge>
                  {m.heavy ? (
                    <Badge
                      variant="light"
                      color="grape"
                      title="Optimizer: counts against the hourly limit for heavy runs"
                    >
                      optimizer
                    </Badge>
                  ) : null}
                </Group>
              </Group>
              <Text size="sm">{m.summary}</Text>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
      <Card withBorder padding="lg" data-testid="glossary">
        <Title order={2} size="h4" mb="xs" id="glossary">
          Glossary
        </Title>
        <dl style={{ margin: 0 }}>
          {GLOSSARY.map((g) => (
            <div key={g.term} style={{ marginBottom: 6 }}>
              <Text component="dt" size="sm" fw={600}>
                {g.term}
              </Text>
              <Text component="dd" size="sm" ml="md">
                {g.meaning}
              </Text>
            </div>
          ))}
        </dl>
      </Card>
    </Stack>
  );
}

export function ModelPage({ id }: { id: string }) {
  const model = useModel(id);
  const { can } = useOrg();
  if (model.isPending) return <Loading />;
  if (model.error) return <ErrorState error={model.error} onRetry={() => model.refetch()} />;
  const m = model.data;
  return (
    <Stack maw={960}>
      <Title order={1} size="h2">
        {m.title}
      </Title>
      <Group gap="xs">
        <Badge variant="light">{m.id}</Badge>
        {m.versions.map((v) => (
          <Badge key={v} variant="outline">
            v{v}
          </Badge>
        ))}
      </Group>
      <Text>{m.summary}</Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Examples
          </Title>
          <List size="sm">
            {m.examples.map((e) => (
              <List.Item key={e.name}>{e.title}</List.Item>
            ))}
          </List>
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Results it shows
          </Title>
          <List size="sm">
            {m.tables.map((t) => (
              <List.Item key={t.name}>Table: {t.title}</List.Item>
            ))}
            {m.charts.map((c) => (
              <List.Item key={c.name}>Chart: {c.title}</List.Item>
            ))}
          </List>
        </Card>
      </SimpleGrid>
      {can("projects:write") ? (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Start a scenario with this model
          </Title>
          <NewScenarioForm modelId={m.id} />
        </Card>
      ) : (
        <Text size="sm" c="dimmed">
          Your role can read scenarios and runs but not create them.
        </Text>
      )}
    </Stack>
  );
}
