/**
 * The policy areas and rule severities (CONTRACT §4): plain lists, apart from the policy file
 * schemas (policy.ts) so the API's shapes (api.ts) name them without building those schemas.
 */
export const AREAS = [
  "approval-limits",
  "confidentiality-access",
  "contract-clauses",
  "complaint-response",
] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
