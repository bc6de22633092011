#!/usr/bin/env node
// Sources are TypeScript run through tsx (docs/decisions/0001); register it, then hand over.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
