/**
 * zod, importable so bundles can drop what they do not use. Every module imports it as
 * `import * as z from "#zod"` (package.json "imports"). Why not `import { z } from "zod"`: zod's
 * entry re-exports all 60 locales as a namespace, which esbuild cannot tree-shake (~300 KB in each
 * Lambda bundle, over a third of the 1 MB budget); namespace imports of this flat re-export are
 * shaken to what each function uses. Node refuses package "imports" targets inside node_modules,
 * hence this file, and the relative path to zod's own module (not in its "exports" map).
 */
export * from "../../node_modules/zod/v4/classic/external.js";
