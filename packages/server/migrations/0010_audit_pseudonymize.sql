-- The audit log stays append-only, with two exceptions, both privacy requests:
--
-- 1. Erasing an organization (DELETE /org) also erases its history (0009, unchanged): a DELETE
--    passes only if the transaction named the organization in `modelworks.erase_org`, the row
--    belongs to it, and the organization row is already gone.
--
-- 2. Deleting an account (DELETE /session/account) pseudonymizes that person in the history of
--    the organizations that remain: the event stays (who did what, as a user id that no longer
--    resolves to anyone), but the person's email, IP address and user agent go. An UPDATE passes
--    only if the transaction named the user in `modelworks.erase_user` (and their lower-case
--    email in `modelworks.erase_email`), the user row is already gone, and the update changes
--    nothing but:
--      * actor_email, ip and user_agent, set to NULL, on an event the person made (actor_user_id
--        is theirs, or actor_email is theirs: e.g. a failed sign-in with their address);
--      * the `email` key of metadata, removed, where it is theirs (e.g. their invitation, made by
--        someone else, whose own IP stays).
-- Every other UPDATE, DELETE and TRUNCATE is still refused.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
DECLARE
  erase_user text := current_setting('modelworks.erase_user', true);
  erase_email text := current_setting('modelworks.erase_email', true);
BEGIN
  IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' THEN
    IF OLD.org_id IS NOT NULL
       AND OLD.org_id::text = current_setting('modelworks.erase_org', true)
       AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.org_id) THEN
      RETURN OLD;
    END IF;
  ELSIF TG_OP = 'UPDATE' AND TG_LEVEL = 'ROW'
     AND coalesce(erase_user, '') <> '' AND coalesce(erase_email, '') <> ''
     AND NOT EXISTS (SELECT 1 FROM users WHERE id::text = erase_user)
     -- Nothing else changes.
     AND ROW(NEW.id, NEW.org_id, NEW.actor_type, NEW.actor_user_id, NEW.actor_api_key_id, NEW.action,
             NEW.target_type, NEW.target_id, NEW.request_id, NEW.created_at)
         IS NOT DISTINCT FROM
         ROW(OLD.id, OLD.org_id, OLD.actor_type, OLD.actor_user_id, OLD.actor_api_key_id, OLD.action,
             OLD.target_type, OLD.target_id, OLD.request_id, OLD.created_at)
     -- The actor's identifying details: unchanged, or cleared on the person's own events.
     AND (ROW(NEW.actor_email, NEW.ip, NEW.user_agent) IS NOT DISTINCT FROM ROW(OLD.actor_email, OLD.ip, OLD.user_agent)
          OR ((OLD.actor_user_id::text = erase_user OR lower(OLD.actor_email) = erase_email)
              AND NEW.actor_email IS NULL AND NEW.ip IS NULL AND NEW.user_agent IS NULL))
     -- Metadata: unchanged, or without the person's email.
     AND (NEW.metadata IS NOT DISTINCT FROM OLD.metadata
          OR (lower(OLD.metadata->>'email') = erase_email AND NEW.metadata = OLD.metadata - 'email'))
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
