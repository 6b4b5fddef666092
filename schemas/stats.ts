/** GET /v1/stats (CONTRACT §2): its query and its answer. */
import * as z from "zod";
import { DEFAULT_TIME_ZONE, lowerBound, upperBound } from "./time.ts";

/** GET /v1/stats query: `from`/`to` bound `weeks` (dates per CONTRACT §8). */
export const statsQuerySchemaIn = (tz: string) =>
  z.strictObject({
    from: lowerBound(tz)
      .optional()
      .meta({ description: "first week: the one holding this instant (default: 11 weeks before `to`)" }),
    to: upperBound(tz)
      .optional()
      .meta({ description: "last week: the one holding this instant (default: now)" }),
  });
export const statsQuerySchema = statsQuerySchemaIn(DEFAULT_TIME_ZONE);

const countMap = z.record(z.string(), z.number().int().min(0));

export const statsSchema = z
  .object({
    open: z.object({ byArea: countMap, bySeverity: countMap, byRole: countMap }).meta({
      description: "violations in status `open`, by area, severity and assigned role (escalations included)",
    }),
    overdue: z
      .number()
      .int()
      .min(0)
      .meta({ description: "open or acknowledged violations past their dueAt" }),
    weeks: z
      .array(
        z.object({
          week: z.string().meta({ description: "ISO week in the company's time zone, e.g. 2026-W10" }),
          opened: z.number().int().min(0).meta({ description: "violations first detected that week" }),
          resolved: z.number().int().min(0).meta({ description: "resolutions that week" }),
        }),
      )
      .meta({ description: "every week from `from` to `to`, in order" }),
    meanHoursToResolve: z.record(z.string(), z.number().min(0)).meta({
      description: "per policyId: mean hours from (re)opening to resolution, over every resolution",
    }),
  })
  .meta({ id: "Stats" });
