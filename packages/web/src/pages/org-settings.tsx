import { Button, Checkbox, Group, Paper, Radio, Select, Stack, Table, Text, Title } from "@mantine/core";
import type { NegativeNumberStyle } from "@modelworks/contracts/number-style";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
import { formatValue, negativeColor, setNumberStyle } from "../format.ts";
import { useOrgSettings } from "../queries.ts";
import { useOrg } from "../session.ts";

/** Locales offered; the region decides the paper of printed exports (Letter in the US and Canada). */
const LOCALES = [
  { value: "", label: "From each run's currency (USD: Letter, else A4)" },
  { value: "en-US", label: "English (United States) — Letter, Dec 6, 2026" },
  { value: "en-CA", label: "English (Canada) — Letter" },
  { value: "en-GB", label: "English (United Kingdom) — A4, 6 Dec 2026" },
  { value: "en-AE", label: "English (United Arab Emirates) — A4" },
  { value: "de-DE", label: "Deutsch (Deutschland) — A4, 06.12.2026" },
  { value: "fr-FR", label: "Français (France) — A4, 6 déc. 2026" },
];

const SAMPLES: { label: string; value: number; unit: string; decimals?: number }[] = [
  { label: "Levered NPV", value: -15_862_892, unit: "USD", decimals: 0 },
  { label: "Cash-on-cash", value: -0.0159, unit: "fraction" },
  { label: "Net operating income", value: 1_837_767, unit: "USD", decimals: 0 },
];

/**
 * The organization's settings that change how numbers look (issue 18 items 8 and 14): negatives
 * as a minus or in brackets, in red or not, in every view and export; and the locale that picks
 * the exports' paper and date format. The owner edits them; everyone sees them.
 */
export function OrgSettingsPage() {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const org = useOrgSettings(session?.activeOrgId);
  const [negatives, setNegatives] = useState<NegativeNumberStyle>("minus");
  const [red, setRed] = useState(false);
  const [locale, setLocale] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!org.data) return;
    setNegatives(org.data.negativeNumbers);
    setRed(org.data.negativesRed);
    setLocale(org.data.locale ?? "");
  }, [org.data]);
  if (org.isPending) return <Loading />;
  if (org.error) return <ErrorState error={org.error} onRetry={() => org.refetch()} />;
  const editable = can("org:manage");
  const preview = { negatives, red };
  const save = async () => {
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      const next = await call(endpoints.updateOrg, {
        body: { negativeNumbers: negatives, negativesRed: red, locale: locale || null },
      });
      setNumberStyle({ negatives: next.negativeNumbers, red: next.negativesRed });
      qc.setQueryData(queryKeys.org(session?.activeOrgId), next);
      setSaved(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Stack maw={720}>
      <Title order={1} size="h2">
        Organization settings
      </Title>
      <Paper withBorder p="md" component="section" aria-labelledby="numbers-heading">
        <Stack gap="sm">
          <Title order={2} size="h3" id="numbers-heading">
            Numbers and exports
          </Title>
          <Radio.Group
            label="Negative numbers"
            description="How every view, PDF, Word and Excel export of this organization writes them"
            value={negatives}
            onChange={(v) => setNegatives(v === "brackets" ? "brackets" : "minus")}
          >
            <Group mt={4}>
              <Radio value="minus" label="Minus sign: −1,234" disabled={!editable} />
              <Radio value="brackets" label="Brackets: (1,234)" disabled={!editable} />
            </Group>
          </Radio.Group>
          <Checkbox
            label="Show negatives in red"
            checked={red}
            disabled={!editable}
            onChange={(e) => setRed(e.currentTarget.checked)}
          />
          <Select
            label="Locale"
            description="Paper size of printed exports and how their dates are written"
            data={LOCALES}
            value={locale}
            onChange={(v) => setLocale(v ?? "")}
            allowDeselect={false}
            disabled={!editable}
            maw={480}
          />
          <Table withTableBorder w="auto" aria-label="Preview">
            <Table.Tbody>
              {SAMPLES.map((s) => (
                <Table.Tr key={s.label}>
                  <Table.Td>{s.label}</Table.Td>
                  <Table.Td
                    ta="right"
                    style={{ color: negativeColor(s.value, preview) }}
                    data-testid="preview"
                  >
                    {formatValue(s.value, s.unit, s.decimals, { negatives })}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {editable ? (
            <Group>
              <Button onClick={save} loading={saving}>
                Save settings
              </Button>
              {saved ? (
                <Text size="sm" role="status">
                  Saved: every view and export now uses these settings.
                </Text>
              ) : null}
            </Group>
          ) : (
            <Text size="sm" c="dimmed">
              Only the organization's owner changes these.
            </Text>
          )}
          <FormErrorAlert error={error} />
        </Stack>
      </Paper>
    </Stack>
  );
}
