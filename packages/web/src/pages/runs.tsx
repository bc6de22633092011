import { Stack, Title } from "@mantine/core";
import { RunList } from "../components/run-list.tsx";

export function RunsPage() {
  return (
    <Stack>
      <Title order={1} size="h2">
        Runs
      </Title>
      <RunList filter={{}} compare />
    </Stack>
  );
}
