/**
 * The web console's build: static files under console/dist, served at /console/ by `npm start`
 * and from S3 + CloudFront on AWS. Nothing here enters a Lambda bundle (the CDK bundles only
 * functions/handlers entry points, and this folder is imported by none of them).
 */
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  plugins: [preact()],
  // the console's own folder only: no public dir, no env files read from elsewhere
  publicDir: false,
  envDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // every library is bundled (no CDN); fonts are the system's (Noto CJK on our machines)
    assetsInlineLimit: 0,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 400,
  },
  logLevel: "warn",
});
