/**
 * What an authenticated ingest client may send (CONTRACT §2): only the record types its
 * configuration lists (COMPLIANCE_INGEST_RECORD_TYPES; unlisted clients send every type), and only
 * revisions of records it owns — the store answers `not_owner` for those (records.ts putRevision).
 */

import { DomainError } from "../core/errors.ts";
import type { Credentials } from "./credentials.ts";

export function assertRecordTypeAllowed(credentials: Credentials, clientId: string, type: string): void {
  const allowed = credentials.recordTypes?.get(clientId);
  if (allowed && !allowed.has(type))
    throw new DomainError(
      "record_type_not_allowed",
      `ingest client "${clientId}" may send ${[...allowed].join(", ")} records, not ${type}`,
      { issues: [{ path: "type", message: `must be one of ${[...allowed].join(", ")} for this client` }] },
    );
}

export function notRecordOwner(key: string): DomainError<"not_record_owner"> {
  return new DomainError(
    "not_record_owner",
    `${key} belongs to the ingest client that first stored it; another client's revision is refused`,
  );
}
