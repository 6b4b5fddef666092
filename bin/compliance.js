#!/usr/bin/env node
// Entry point of `npx compliance`: runs the TypeScript CLI directly on Node 24 (type stripping).
import { main } from "../functions/cli/main.ts";

const io = { out: (line) => console.log(line), err: (line) => console.error(line) };
process.exitCode = await main(process.argv.slice(2), io);
