import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url))
// The API runs on :3000 in development (`npm run dev`); the built app is served by the API itself.
const api = process.env.CHORUS_API_URL ?? 'http://127.0.0.1:3000'

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // antd and the Excel writer are large; they are split into their own chunks below.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': api, '/open311': api },
  },
})
