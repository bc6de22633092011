import { hashPassword } from "./auth/passwords.ts";
import type { Db } from "./db/client.ts";
import { memberships, organizations, projects, users } from "./db/schema.ts";
import { passwordAccount } from "./db/users.ts";

/** The quick start's demo account. Only seeded on the embedded database unless SEED_DEMO=true. */
export const DEMO = {
  email: "demo@modelworks.local",
  password: "modelworks-demo-2026",
  name: "Demo User",
  orgName: "Demo Organization",
  orgSlug: "demo",
} as const;

/** Idempotent: creates the demo user, organization and a first project when absent. */
export async function seedDemo(db: Db): Promise<void> {
  const [existing] = await db.select({ id: users.id }).from(users).where(passwordAccount(DEMO.email));
  if (existing) return;
  const passwordHash = await hashPassword(DEMO.password);
  await db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      // Verified: the demo login is printed at start, there is no mailbox behind it.
      .values({ email: DEMO.email, name: DEMO.name, passwordHash, emailVerifiedAt: new Date() })
      .returning();
    const [org] = await tx
      .insert(organizations)
      .values({ name: DEMO.orgName, slug: DEMO.orgSlug })
      .onConflictDoNothing()
      .returning();
    if (!org) return;
    await tx.insert(memberships).values({ orgId: org.id, userId: user!.id, role: "owner" });
    await tx.insert(projects).values({
      orgId: org.id,
      name: "First project",
      description: "Created by the demo seed.",
      createdBy: user!.id,
    });
  });
}
