import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev:web`: the app on Vite with /api proxied to a running server (`npm start`, port 3000
// unless MODELWORKS_API_URL says otherwise), so cookies stay same-origin as in production.
const api = process.env.MODELWORKS_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  server: { proxy: { "/api": { target: api, changeOrigin: false } } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // ECharts and its renderer in a chunk of their own: otherwise the bundler merges them with
        // small shared modules (lib/output.ts) and every page that needs those downloads the charts.
        codeSplitting: { groups: [{ name: "echarts", test: /node_modules[\\/](echarts|zrender)[\\/]/ }] },
      },
    },
  },
});
