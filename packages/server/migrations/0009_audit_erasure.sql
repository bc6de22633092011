-- The audit log stays append-only, with one exception: erasing an organization (a privacy
-- request, DELETE /org) also erases its history. A DELETE passes only when all of these hold:
--   * the erasing transaction named the organization in `modelworks.erase_org` (set_config with
--     is_local = true, so it ends with that transaction);
--   * the row belongs to that organization;
--   * the organization row is already gone (deleted earlier in the same transaction).
-- UPDATE and TRUNCATE are still refused, and so is any DELETE without all three.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' THEN
    IF OLD.org_id IS NOT NULL
       AND OLD.org_id::text = current_setting('modelworks.erase_org', true)
       AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.org_id) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
