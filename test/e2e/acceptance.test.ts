/**
 * Acceptance on the handlers' source, as `npm start` runs them: the suite and what it checks are in
 * acceptance-suite.ts (acceptance-bundles.test.ts runs it on the deployed bundles).
 */
import { acceptanceSuite } from "./acceptance-suite.ts";

acceptanceSuite({ tag: "acc" });
