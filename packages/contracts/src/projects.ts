import { z } from "zod";
import { listQuery, Name, page, Timestamp, Uuid } from "./common.ts";

export const ProjectStatus = z.enum(["active", "archived"], { message: "must be active or archived" });

export const ProjectDto = z
  .object({
    id: Uuid,
    name: z.string(),
    description: z.string(),
    status: ProjectStatus,
    createdBy: Uuid.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    archivedAt: Timestamp.nullable(),
  })
  .meta({ id: "Project" });

export const CreateProjectBody = z
  .object({ name: Name(120), description: z.string().trim().max(2000).default("") })
  .strict();
export const UpdateProjectBody = z
  .object({
    name: Name(120).optional(),
    description: z.string().trim().max(2000).optional(),
    status: ProjectStatus.optional().describe("Set to archived to archive, active to restore"),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), "give at least one field to change");

export const ProjectListQuery = listQuery(["createdAt", "name", "updatedAt"], {
  status: ProjectStatus.optional(),
  q: z.string().trim().max(120).optional().describe("Case-insensitive match anywhere in the name"),
});
export const ProjectPage = page(ProjectDto);
