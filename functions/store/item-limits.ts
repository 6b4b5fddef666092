/**
 * What DynamoDB accepts in one item, as a pure check: the SDK's marshalling (no number beyond
 * ±2^53, no NaN or infinity), numbers of at most 38 significant digits between 10^-130 and
 * 10^126, and 400 KB per item (attribute names plus values, sized as DynamoDB documents it).
 * Tests prove with it that every violation a schema-valid record can produce is storable.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";

export const MAX_ITEM_BYTES = 400 * 1024;
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** Problems with one number attribute's text (empty when DynamoDB accepts it). */
function numberProblem(n: string): string | undefined {
  const m = /^-?(\d*)\.?(\d*)(?:e([+-]?\d+))?$/i.exec(n);
  if (!m) return `"${n}" is not a number`;
  const digits = `${m[1]}${m[2]}`.replace(/^0+/, "");
  const significant = digits.replace(/0+$/, "");
  if (significant === "") return undefined; // zero
  if (significant.length > 38) return `${n} has more than 38 significant digits`;
  const value = Math.abs(Number(n));
  if (value >= 1e126 || value < 1e-130) return `${n} is outside DynamoDB's range (1e-130 to 1e126)`;
  return undefined;
}

/** Size of an attribute value as DynamoDB counts it (approximately, never below). */
function valueSize(v: AttributeValue, path: string, problems: string[]): number {
  if (v.S !== undefined) return bytes(v.S);
  if (v.N !== undefined) {
    const problem = numberProblem(v.N);
    if (problem) problems.push(`${path}: ${problem}`);
    return Math.ceil(v.N.replace(/[^0-9]/g, "").length / 2) + 1;
  }
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L) return 3 + v.L.reduce((sum, e, i) => sum + 1 + valueSize(e, `${path}[${i}]`, problems), 0);
  if (v.M) return 3 + mapSize(v.M, path, problems);
  if (v.SS) return v.SS.reduce((sum, s) => sum + bytes(s), 0);
  if (v.NS) return v.NS.reduce((sum, s) => sum + s.length, 0);
  if (v.B) return v.B.length;
  return 0;
}

function mapSize(m: Record<string, AttributeValue>, path: string, problems: string[]): number {
  let size = 0;
  for (const [name, value] of Object.entries(m))
    size += bytes(name) + 1 + valueSize(value, path ? `${path}.${name}` : name, problems);
  return size;
}

/** Why DynamoDB would refuse this item (as our document client marshals it); empty when it fits. */
export function itemProblems(item: Record<string, unknown>): { problems: string[]; bytes: number } {
  let attributes: Record<string, AttributeValue>;
  try {
    attributes = marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false });
  } catch (error) {
    return { problems: [`cannot be marshalled: ${(error as Error).message}`], bytes: 0 };
  }
  const problems: string[] = [];
  const size = mapSize(attributes, "", problems);
  if (size > MAX_ITEM_BYTES) problems.push(`${size} bytes is over DynamoDB's ${MAX_ITEM_BYTES}`);
  return { problems, bytes: size };
}
