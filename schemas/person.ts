/**
 * A person of the org directory (CONTRACT §6): who signs in, who is assigned, who acts. The id is
 * what records, `assignees` and `history[].by` carry; it is compared exactly (no case folding), so
 * the directory admits only plain lowercase ids: `A.WU`, an id with a zero-width space or a
 * Cyrillic look-alike can never be a person.
 */
import * as z from "zod";

export const PERSON_ID = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export const personId = z
  .string()
  .max(64)
  .regex(PERSON_ID, "must be lowercase letters and digits joined by '.', '_' or '-', e.g. fin.wang")
  .meta({ description: "a person's id (how records, assignees and history name them)" });

export const personSchema = z
  .strictObject({
    id: personId,
    name: z
      .strictObject({ zh: z.string().trim().min(1), en: z.string().trim().min(1) })
      .meta({ description: "the person's name in Chinese and English" }),
    email: z
      .email("must be an email address, e.g. fin.wang@example.com")
      .max(254)
      .meta({ description: "where notifications go; how sign-in finds the person" }),
    department: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lowercase words joined by '-', e.g. customer-service")
      .meta({ description: "the department the person works in (records' data.department)" }),
  })
  .meta({ id: "Person", title: "A person of the directory" });

export type Person = z.infer<typeof personSchema>;
