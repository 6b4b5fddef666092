/** `npm run schemas`: writes schemas/*.schema.json from the zod schemas. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JSON_SCHEMAS, renderJsonSchema } from "./json-schemas.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));
for (const name of Object.keys(JSON_SCHEMAS)) {
  writeFileSync(join(dir, name), renderJsonSchema(name));
  console.log(`wrote schemas/${name}`);
}
