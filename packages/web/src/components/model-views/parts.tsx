import { Badge, Card, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";

export { formatBps } from "../../lib/model-views.ts";

// Filled badges with white text: Mantine's green 9 (4.4:1) and red 8 (4.5:1) are at or below AA.
export const MET_COLOR = "#226e32";
export const NOT_MET_COLOR = "#b02525";

export function TargetBadge({ met, size = "lg" }: { met: boolean; size?: "sm" | "md" | "lg" | "xl" }) {
  return (
    <Badge color={met ? MET_COLOR : NOT_MET_COLOR} variant="filled" size={size} data-testid="target-badge">
      {met ? "Target met" : "Target not met"}
    </Badge>
  );
}

export function Stat({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <Card withBorder padding="sm" data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" style={{ fontVariantNumeric: "tabular-nums" }}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Card>
  );
}

export const num = { fontVariantNumeric: "tabular-nums" } as const;

/** A right-aligned table cell with tabular figures, so columns of numbers line up. */
export function NumTd({ children }: { children: ReactNode }) {
  return (
    <Table.Td ta="right" style={num}>
      {children}
    </Table.Td>
  );
}
